"""The Atom feed of published briefings."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import BriefingFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_entries(client):
    response = client.get(reverse("briefing:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")  # noqa: S314 - our own feed


def test_feed_lists_published_briefings_newest_first(client):
    now = timezone.now()
    BriefingFactory(title="Older", published_at=now - datetime.timedelta(days=2))
    BriefingFactory(title="Newer", published_at=now - datetime.timedelta(days=1))
    titles = [entry.find(f"{ATOM}title").text for entry in feed_entries(client)]
    assert titles == ["Newer", "Older"]


def test_feed_never_contains_drafts(client):
    BriefingFactory(title="Published")
    BriefingFactory(title="Draft", draft=True)
    titles = [entry.find(f"{ATOM}title").text for entry in feed_entries(client)]
    assert titles == ["Published"]


def test_feed_entries_link_to_the_briefing_page_with_summary_and_dates(client):
    briefing = BriefingFactory(summary="What happened.")
    (entry,) = feed_entries(client)
    assert entry.find(f"{ATOM}link").get("href").endswith(briefing.get_absolute_url())
    assert entry.find(f"{ATOM}summary").text == "What happened."
    assert entry.find(f"{ATOM}published") is not None
    assert entry.find(f"{ATOM}updated") is not None


def test_feed_escapes_editor_text(client):
    evil = '<script>alert("x")</script> & </title>'
    BriefingFactory(title=evil, summary=evil)
    response = client.get(reverse("briefing:feed"))
    assert b"<script>" not in response.content
    (entry,) = ET.fromstring(response.content).findall(f"{ATOM}entry")  # noqa: S314 - our own feed
    assert entry.find(f"{ATOM}title").text == evil
