"""The Atom feed of published briefings: one entry per briefing, its latest edition."""

import datetime
import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from briefing import publishing
from tests.factories import BriefingFactory, ClaimFactory, UserFactory, publish_edition

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
# The live editions, without their documents: whatever the number of briefings.
FEED_QUERIES = 1


def feed_response(client):
    cache.clear()  # rendered afresh, not from the page cache
    response = client.get(reverse("briefing:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return response


def feed_entries(client):
    response = feed_response(client)
    return ET.fromstring(response.content).findall(f"{ATOM}entry")  # noqa: S314 - our own feed


def published(briefing, note=""):
    publish_edition(briefing, note)
    return briefing


def publish_edition_at(briefing, when, note=""):
    with mock.patch("django.utils.timezone.now", return_value=when):
        return publish_edition(briefing, note)


def test_feed_lists_live_editions_newest_first(client):
    now = timezone.now()
    publish_edition_at(BriefingFactory(title="Older"), now - datetime.timedelta(days=2))
    publish_edition_at(BriefingFactory(title="Newer"), now - datetime.timedelta(days=1))
    titles = [entry.find(f"{ATOM}title").text for entry in feed_entries(client)]
    assert titles == ["Newer", "Older"]


def test_feed_never_contains_drafts(client):
    published(BriefingFactory(title="Published"))
    BriefingFactory(title="Draft")
    ClaimFactory(briefing__title="Draft with content")
    titles = [entry.find(f"{ATOM}title").text for entry in feed_entries(client)]
    assert titles == ["Published"]


def test_feed_entries_link_to_the_briefing_page_with_summary_and_dates(client):
    briefing = BriefingFactory(summary="What happened.")
    edition = publish_edition_at(briefing, datetime.datetime(2025, 3, 21, 9, tzinfo=datetime.UTC))
    (entry,) = feed_entries(client)
    assert entry.find(f"{ATOM}link").get("href").endswith(briefing.get_absolute_url())
    assert entry.find(f"{ATOM}id").text.endswith(edition.get_absolute_url())
    assert entry.find(f"{ATOM}summary").text == "What happened."
    assert entry.find(f"{ATOM}published").text == "2025-03-21T09:00:00+00:00"
    assert entry.find(f"{ATOM}updated").text == "2025-03-21T09:00:00+00:00"


def test_a_new_edition_is_a_new_entry_with_its_note(client):
    briefing = published(BriefingFactory(title="First title", summary="What happened."))
    (first,) = feed_entries(client)
    briefing.title = "Second title"
    briefing.save()
    published(briefing, "Corrected the title.")
    (second,) = feed_entries(client)  # still one entry per briefing: its latest edition
    assert second.find(f"{ATOM}title").text == "Second title"
    assert second.find(f"{ATOM}summary").text == (
        "What happened.\n\nEdition 2: Corrected the title."
    )
    assert second.find(f"{ATOM}id").text != first.find(f"{ATOM}id").text
    assert second.find(f"{ATOM}link").get("href") == first.find(f"{ATOM}link").get("href")


def test_edits_to_the_working_copy_reach_the_feed_only_with_the_next_edition(client):
    briefing = published(BriefingFactory(title="Title as published", summary="As published."))
    briefing.title, briefing.summary = "Title as edited", "As edited."
    briefing.save()
    (entry,) = feed_entries(client)
    assert entry.find(f"{ATOM}title").text == "Title as published"
    assert entry.find(f"{ATOM}summary").text == "As published."
    published(briefing, "Edited.")
    (entry,) = feed_entries(client)
    assert entry.find(f"{ATOM}title").text == "Title as edited"
    assert entry.find(f"{ATOM}summary").text.startswith("As edited.")


def test_a_withdrawn_briefing_leaves_the_feed(client, django_capture_on_commit_callbacks):
    withdrawn = published(BriefingFactory(title="Withdrawn"))
    published(BriefingFactory(title="Still published"))
    publisher = UserFactory()
    publisher.user_permissions.add(Permission.objects.get(codename="publish_briefing"))
    publisher = type(publisher).objects.get(pk=publisher.pk)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.withdraw(withdrawn, publisher)
    titles = [entry.find(f"{ATOM}title").text for entry in feed_entries(client)]
    assert titles == ["Still published"]


def test_feed_escapes_editor_text(client):
    evil = '<script>alert("x")</script> & </title>'
    published(BriefingFactory(title=evil, summary=evil))
    response = feed_response(client)
    assert b"<script>" not in response.content
    (entry,) = ET.fromstring(response.content).findall(f"{ATOM}entry")  # noqa: S314 - our own feed
    assert entry.find(f"{ATOM}title").text == evil


def test_feed_is_revalidated_every_time(client):
    published(BriefingFactory())
    assert "no-cache" in feed_response(client)["Cache-Control"]
    assert "no-cache" in client.get(reverse("briefing:feed"))["Cache-Control"]  # from the cache


def test_feed_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    for _ in range(5):
        published(ClaimFactory().briefing)
    publish_edition(ClaimFactory().briefing)
    with django_assert_num_queries(FEED_QUERIES):
        response = client.get(reverse("briefing:feed"))
    assert response.content.count(b"<entry>") == 6
