"""Stored data never takes a page down; faults are seen; small doors are closed."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from briefing.models import Actor, Briefing, Edition, Event
from tests.factories import (
    PASSWORD,
    ActorFactory,
    BriefingFactory,
    ClaimFactory,
    ParagraphFactory,
    StaffFactory,
    UserFactory,
    publish_edition,
)
from tests.test_admin import form_data

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def superuser(db):
    return StaffFactory(is_superuser=True)


@pytest.mark.django_db
@pytest.mark.parametrize("character", ["\x01", "\x0b", "\x1b", "\x7f"])
def test_a_control_character_in_an_admin_form_is_a_form_error_and_saves_nothing(
    client, superuser, character
):
    actor = ActorFactory(name="Sergei Shoigu")
    client.force_login(superuser)
    url = reverse("admin:briefing_actor_change", args=[actor.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(name=f"Sergei{character}Shoigu", kind="person", slug=actor.slug)

    response = client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "control character" in errors["name"][0]
    actor.refresh_from_db()
    assert actor.name == "Sergei Shoigu"


@pytest.mark.django_db
def test_tabs_and_line_breaks_are_text_and_pass(superuser):
    actor = ActorFactory(aliases="One\r\nTwo\tThree")
    actor.full_clean()


@pytest.mark.django_db
def test_loaddata_refuses_a_control_character_and_changes_nothing(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            [
                {
                    "model": "briefing.actor",
                    "fields": {"name": "Bad\x07name", "slug": "bad-name", "kind": "person"},
                }
            ]
        )
    )
    with pytest.raises(CommandError, match="control character U\\+0007"):
        call_command("loaddata", str(path), verbosity=0)
    assert not Actor.objects.filter(slug="bad-name").exists()


@pytest.mark.django_db
def test_feed_summaries_are_plain_text_so_markup_stays_text(client):
    claim = ClaimFactory(briefing__summary="<b>Bold</b> & <script>alert(1)</script>")
    publish_edition(claim.briefing)

    response = client.get(reverse("briefing:feed"))

    feed = ET.fromstring(response.content)  # noqa: S314 - our own feed
    summary = feed.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "text"
    assert summary.text == "<b>Bold</b> & <script>alert(1)</script>"


@pytest.mark.django_db
def test_a_control_character_already_stored_does_not_break_the_feed(client):
    claim = ClaimFactory()
    edition = publish_edition(claim.briefing)
    # Stored before the rule existed (or written around it): the feed still parses.
    Edition.objects.filter(pk=edition.pk).update(title="Title\x0cwith a form feed")

    response = client.get(reverse("briefing:feed"))

    assert response.status_code == 200
    feed = ET.fromstring(response.content)  # noqa: S314 - our own feed
    title = feed.find(f"{ATOM}entry/{ATOM}title")
    assert title.text == "Titlewith a form feed"


@pytest.mark.django_db(transaction=True)
def test_health_check_fails_when_the_apps_tables_are_missing(client):
    table = Briefing._meta.db_table
    assert client.get("/healthz").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    try:
        response = client.get("/healthz")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table}_away RENAME TO {table}")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["", "https://evil.example/"])
def test_logging_in_without_a_usable_next_lands_on_the_admin_index(client, next_url):
    UserFactory(username="editor", is_staff=True)
    response = client.post(
        reverse("admin:login") + (f"?next={next_url}" if next_url else ""),
        {"username": "editor", "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


# loaddata applies the admin's rules -------------------------------------------------------


def load_fixture(tmp_path, objects):
    path = tmp_path / "fixture.json"
    path.write_text(json.dumps(objects))
    call_command("loaddata", str(path), verbosity=0)


@pytest.mark.django_db
def test_loaddata_refuses_a_paragraph_text_its_claims_no_longer_quote_and_changes_nothing(
    tmp_path,
):
    claim = ClaimFactory(quote="something happened")
    paragraph = claim.paragraph
    before = paragraph.text
    other = ParagraphFactory(briefing=claim.briefing, text="A second paragraph.")

    with pytest.raises(CommandError) as refused:
        load_fixture(
            tmp_path,
            [
                {
                    "model": "briefing.paragraph",
                    "fields": {
                        "briefing": [claim.briefing.slug],
                        "number": number,
                        "text": text,
                    },
                }
                for number, text in [
                    (other.number, "The second paragraph, reworded."),
                    (paragraph.number, "Nothing of the sort took place."),
                ]
            ],
        )

    message = str(refused.value)
    assert "nothing was changed" in message
    assert f"briefing.Paragraph “¶{paragraph.number}: Nothing of the sort" in message
    assert f"claim {claim.order} (“something happened”)" in message
    paragraph.refresh_from_db()
    other.refresh_from_db()
    assert (paragraph.text, other.text) == (before, "A second paragraph.")


@pytest.mark.django_db
@pytest.mark.parametrize("date_edtf", ["9999-12-31", "9999", "1799-12-31", "2025/9999"])
def test_loaddata_refuses_an_event_dated_outside_the_range_and_changes_nothing(tmp_path, date_edtf):
    briefing = BriefingFactory()
    fields = {"briefing": [briefing.slug], "title": "Far off", "slug": "far-off"}

    with pytest.raises(CommandError, match="between 1800 and 2199"):
        load_fixture(
            tmp_path, [{"model": "briefing.event", "fields": fields | {"date_edtf": date_edtf}}]
        )

    assert not Event.objects.exists()


@pytest.mark.django_db
def test_loaddata_refuses_a_control_character_in_a_title_and_changes_nothing(tmp_path):
    briefing = BriefingFactory(title="Clean title")
    fields = {
        "title": "Title\x1bwith an escape",
        "slug": briefing.slug,
        "summary": "S.",
        "created_at": "2025-03-21T09:00:00Z",
        "updated_at": "2025-03-21T09:00:00Z",
    }

    with pytest.raises(CommandError, match="briefing.Briefing .*title: .*U\\+001B"):
        load_fixture(tmp_path, [{"model": "briefing.briefing", "fields": fields}])

    briefing.refresh_from_db()
    assert briefing.title == "Clean title"


@pytest.mark.django_db
def test_an_admin_paragraph_edit_its_claims_no_longer_quote_is_a_form_error(client, superuser):
    claim = ClaimFactory(quote="something happened")
    paragraph = claim.paragraph
    before = paragraph.text
    client.force_login(superuser)
    url = reverse("admin:briefing_briefing_change", args=[claim.briefing.pk])
    data = form_data(client.get(url))
    row = next(key for key, value in data.items() if value == str(paragraph.pk) and "-id" in key)
    data[row.replace("-id", "-text")] = "Nothing of the sort took place."

    response = client.post(url, data)

    assert response.status_code == 200
    paragraphs = response.context["inline_admin_formsets"][0].formset
    assert f"claim {claim.order} (“something happened”)" in str(paragraphs.errors)
    paragraph.refresh_from_db()
    assert paragraph.text == before
