"""The JSON export: valid against docs/export.schema.json, complete, and self-consistent.

An export is an edition's stored document: a test creates the content it needs, then publishes
it with publish_edition().
"""

import datetime
import json
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from jsonschema import Draft202012Validator

from briefing import documents
from tests.factories import (
    ActorFactory,
    BriefingFactory,
    ClaimFactory,
    ClaimRelationFactory,
    EventFactory,
    ParticipationFactory,
    SourceFactory,
    StaffFactory,
    briefing_with_content,
    publish_edition,
)

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(settings.BASE_DIR) / "docs" / "export.schema.json").read_text())
# The edition, whose stored document is the export: whatever the number of actors, events or
# claims.
EXPORT_QUERIES = 1


def export_url(briefing):
    return reverse("briefing:export", kwargs={"slug": briefing.slug})


def edition_export_url(briefing, number):
    return reverse("briefing:edition_export", kwargs={"slug": briefing.slug, "number": number})


def published(briefing):
    """`briefing` after publishing its working copy as the next edition."""
    publish_edition(briefing)
    return briefing


def get_export(client, briefing, url=None):
    response = client.get(url or export_url(briefing))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def validate(data):
    validator = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def assert_references_resolve(data):
    actors = {actor["slug"] for actor in data["actors"]}
    sources = {source["slug"] for source in data["sources"]}
    events = {event["slug"] for event in data["events"]}
    claims = {claim["order"] for claim in data["claims"]}
    paragraphs = {p["number"]: p["text"] for p in data["paragraphs"]}
    for actor in data["actors"]:
        assert actor["affiliation"] in actors | {None}
    for source in data["sources"]:
        assert source["affiliation"] in actors | {None}
    for event in data["events"]:
        assert {p["actor"] for p in event["participants"]} <= actors
        assert set(event["claims"]) <= claims
    for claim in data["claims"]:
        assert {relation["claim"] for relation in claim["relations"]} <= claims - {claim["order"]}
        assert claim["source"] in sources
        assert claim["claimant"] in actors | {None}
        assert set(claim["actors"]) <= actors
        assert set(claim["events"]) <= events
        assert claim["quote"] in paragraphs[claim["paragraph"]]
    for takeaway in data["takeaways"]:
        assert set(takeaway["claims"]) <= claims


def test_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(SCHEMA)


def test_demo_export_is_valid_and_complete(client, demo):
    data = get_export(client, demo)
    validate(data)
    assert_references_resolve(data)
    assert data["slug"] == "shoigu-pyongyang-2025"
    assert (data["status"], data["edition"]["number"]) == ("published", 1)
    assert data["published_at"] is not None
    assert "change_notes" not in data
    assert len(data["claims"]) == demo.claims.count()
    assert len(data["events"]) == demo.events.count()
    assert len(data["paragraphs"]) == demo.paragraphs.count()
    assert_in_date_order(data["events"])


def assert_in_date_order(events):
    """Earliest date first (an unknown start before all), then latest (open ends last)."""
    keys = [
        (
            event["date"]["earliest"] is not None,
            event["date"]["earliest"] or "",
            event["date"]["latest"] is None,
            event["date"]["latest"] or "",
        )
        for event in events
    ]
    assert keys == sorted(keys)


def test_ten_times_the_demo_data_exports_valid_in_the_same_number_of_queries(
    client, django_assert_num_queries
):
    briefing = briefing_with_content(10)
    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get(export_url(briefing))
    data = response.json()
    validate(data)
    assert_references_resolve(data)
    assert len(data["claims"]) == 310
    assert_in_date_order(data["events"])


def test_one_times_the_data_exports_in_the_same_number_of_queries(
    client, django_assert_num_queries
):
    briefing = briefing_with_content(1)
    with django_assert_num_queries(EXPORT_QUERIES):
        validate(client.get(export_url(briefing)).json())


@pytest.mark.parametrize("scale", [1, 10])
def test_an_earlier_editions_export_runs_the_same_number_of_queries(
    client, django_assert_num_queries, scale
):
    briefing = briefing_with_content(scale)
    publish_edition(briefing, "A second edition.")
    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get(edition_export_url(briefing, 1))
    data = response.json()
    validate(data)
    assert data["edition"]["number"] == 1
    assert len(data["claims"]) == 31 * scale


def test_claims_carry_source_status_paragraph_quote_actors_and_events(client):
    claim = ClaimFactory(figure_low=10000, figure_high=12000, figure_unit="soldiers")
    actor = ActorFactory()
    event = EventFactory(briefing=claim.briefing, date_edtf="2024-10")
    claim.actors.set([actor])
    claim.events.set([event])
    data = get_export(client, published(claim.briefing))
    exported = data["claims"][0]
    assert exported["source"] == claim.source.slug
    assert exported["status"] == claim.status
    assert exported["paragraph"] == claim.paragraph.number
    assert exported["quote"] == claim.quote
    assert exported["actors"] == [actor.slug]
    assert exported["events"] == [event.slug]
    assert exported["figure"] == {
        "qualifier": None,
        "text": "10,000–12,000 soldiers",
        "low": 10000,
        "high": 12000,
        "unit": "soldiers",
    }
    assert (exported["editors_note"], exported["relations"]) == ("", [])
    exported_event = data["events"][0]
    assert exported_event["status"] == "occurred"
    assert exported_event["date"] == {
        "edtf": "2024-10",
        "earliest": "2024-10-01",
        "latest": "2024-10-31",
        "text": "October 2024",
        "basis": "stated",
        "note": "",
    }
    assert exported_event["claims"] == [claim.order]


def briefing_using_every_new_field():
    """Uncertain dates, planned events, figure qualifiers, relations and the editors' additions."""
    briefing = BriefingFactory(
        article_outlet="Kyiv Independent",
        article_url="https://kyivindependent.com/shoigu",
        article_details_from_editors=True,
    )
    russia = ActorFactory(
        slug="russia",
        name="Russia",
        kind="state",
        aliases="Moscow",
        editors_aliases="Россия\nRussian Federation",
        wikidata_id="Q159",
        editors_note="A permanent member of the UN Security Council.",
    )
    tass = SourceFactory(
        slug="tass",
        name="TASS",
        kind="state_media",
        affiliation=russia,
        url="https://tass.com/",
        editors_note="Russia's state news agency.",
    )
    troops = EventFactory(
        briefing=briefing,
        slug="troops-arrive",
        date_edtf="2024-10/2025-03",
        date_basis="undated",
        date_note="Between the first reports and the article.",
    )
    visit = EventFactory(
        briefing=briefing, slug="kim-visits-moscow", date_edtf="[2025-03-21..]", status="planned"
    )
    ParticipationFactory(event=visit, actor=russia, role="host")
    counted = ClaimFactory(
        briefing=briefing,
        order=1,
        source=tass,
        status="attributed",
        figure_qualifier="approximately",
        figure_low=10000,
        figure_high=12000,
        figure_unit="soldiers",
        note="The article gives the range; the editors did not round it.",
    )
    counted.events.set([troops])
    counted.actors.set([russia])
    doubted = ClaimFactory(
        briefing=briefing,
        order=2,
        status="speculation",
        figure_qualifier="at_least",
        figure_low=3000,
        figure_unit="soldiers",
    )
    doubted.events.set([troops, visit])
    ClaimRelationFactory(
        claim=doubted,
        other_claim=counted,
        relation="contradicts",
        independence="independent",
        note="Different counts from different sources.",
    )
    publish_edition(briefing)
    return briefing


def test_every_new_field_is_exported_valid_against_the_schema(client):
    data = get_export(client, briefing_using_every_new_field())
    validate(data)
    assert_references_resolve(data)
    assert data["format_version"] == 2
    assert data["article"] == {
        "headline": None,
        "outlet": "Kyiv Independent",
        "url": "https://kyivindependent.com/shoigu",
        "published_on": None,
        "details_added_by_editors": True,
    }
    (russia,) = [actor for actor in data["actors"] if actor["slug"] == "russia"]
    assert russia["aliases"] == ["Moscow"]
    assert russia["added_by_editors"] == {
        "aliases": ["Россия", "Russian Federation"],
        "wikidata_id": "Q159",
        "note": "A permanent member of the UN Security Council.",
    }
    (tass,) = [source for source in data["sources"] if source["slug"] == "tass"]
    assert "url" not in tass
    assert tass["added_by_editors"] == {
        "url": "https://tass.com/",
        "note": "Russia's state news agency.",
    }
    troops, visit = data["events"]
    assert (troops["slug"], troops["status"]) == ("troops-arrive", "occurred")
    assert troops["date"] == {
        "edtf": "2024-10/2025-03",
        "earliest": "2024-10-01",
        "latest": "2025-03-31",
        "text": "between October 2024 and March 2025",
        "basis": "undated",
        "note": "Between the first reports and the article.",
    }
    assert (visit["slug"], visit["status"]) == ("kim-visits-moscow", "planned")
    assert visit["date"]["edtf"] == "[2025-03-21..]"
    assert (visit["date"]["earliest"], visit["date"]["latest"]) == ("2025-03-21", None)
    assert visit["date"]["text"] == "not before 21 March 2025"
    counted, doubted = data["claims"]
    assert counted["figure"] == {
        "qualifier": "approximately",
        "text": "approximately 10,000–12,000 soldiers",
        "low": 10000,
        "high": 12000,
        "unit": "soldiers",
    }
    assert counted["editors_note"] == "The article gives the range; the editors did not round it."
    assert counted["relations"] == []  # entered on claim 2: listed there only
    assert doubted["status"] == "speculation"
    assert doubted["figure"]["qualifier"] == "at_least"
    assert doubted["figure"]["text"] == "at least 3,000 soldiers"
    assert doubted["relations"] == [
        {
            "claim": 1,
            "relation": "contradicts",
            "independence": "independent",
            "note": "Different counts from different sources.",
        }
    ]


def test_a_relation_to_a_claim_readers_cannot_see_is_left_out(client):
    relation = ClaimRelationFactory(other_claim__review_status="unchecked")
    data = get_export(client, published(relation.claim.briefing))
    assert [claim["relations"] for claim in data["claims"]] == [[]]
    validate(data)


def test_unknown_article_details_are_null_not_invented(client):
    data = get_export(client, published(BriefingFactory(article_outlet="", article_url="")))
    assert data["article"] == {
        "headline": None,
        "outlet": None,
        "url": None,
        "published_on": None,
        "details_added_by_editors": False,
    }


def test_editor_text_round_trips_unchanged(client):
    evil = '</script><script>alert("x")</script> & <b>'
    data = get_export(client, published(BriefingFactory(title=evil, summary=evil)))
    assert data["title"] == evil
    validate(data)


def test_a_draft_has_no_export_for_anyone(client):
    draft = ClaimFactory().briefing
    assert client.get(export_url(draft)).status_code == 404
    assert client.get(edition_export_url(draft, 1)).status_code == 404
    client.force_login(StaffFactory())
    assert client.get(export_url(draft)).status_code == 404


def test_export_answers_a_conditional_get_with_304(client):
    briefing = published(BriefingFactory())
    first = client.get(export_url(briefing))
    assert client.get(export_url(briefing), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert "no-cache" in first["Cache-Control"]


# Editions -----------------------------------------------------------------------------------


def test_each_export_is_an_edition_with_its_number_date_and_note(client):
    briefing = ClaimFactory(briefing__title="First title").briefing
    day = datetime.datetime(2025, 3, 21, 9, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=day):
        publish_edition(briefing)
    briefing.title = "Second title"
    briefing.save()
    later = day + datetime.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        publish_edition(briefing, "Retitled.")

    first = get_export(client, briefing, edition_export_url(briefing, 1))
    latest = get_export(client, briefing)
    for data in (first, latest):
        validate(data)
        assert_references_resolve(data)
        assert "change_notes" not in data
        assert data["status"] == "published"
        assert data["published_at"] == "2025-03-21T09:00:00Z"  # first publication
    assert first["edition"] == {"number": 1, "published_at": "2025-03-21T09:00:00Z", "note": ""}
    assert first["title"] == "First title"
    assert first["url"] == "http://testserver" + reverse(
        "briefing:edition", kwargs={"slug": briefing.slug, "number": 1}
    )
    assert latest["edition"] == {
        "number": 2,
        "published_at": "2025-03-22T09:00:00Z",
        "note": "Retitled.",
    }
    assert latest["title"] == "Second title"
    assert get_export(client, briefing, edition_export_url(briefing, 2)) == latest
    response = client.get(edition_export_url(briefing, 1))
    assert response["Content-Disposition"] == (f'inline; filename="{briefing.slug}-edition-1.json"')


def test_the_export_is_the_edition_not_the_working_copy(client):
    briefing = published(ClaimFactory(text="As published.").briefing)
    before = client.get(export_url(briefing)).content
    claim = briefing.claims.get()
    claim.text = "Edited since."
    claim.save()
    ClaimFactory(briefing=briefing, text="Added since, unchecked.", review_status="unchecked")
    ClaimFactory(briefing=briefing, text="Added since, checked.")
    cache.clear()  # rendered afresh, not from the page cache
    assert client.get(export_url(briefing)).content == before

    publish_edition(briefing, "Edited and added.")
    data = get_export(client, briefing)
    validate(data)
    assert [claim["text"] for claim in data["claims"]] == ["Edited since.", "Added since, checked."]
    assert {claim["review_status"] for claim in data["claims"]} == {"checked"}


def test_the_working_copys_document_has_the_export_format_too(db):
    """The preview renders it; publishing stores it: the same format, with no edition yet."""
    briefing = briefing_using_every_new_field()
    ClaimFactory(briefing=briefing, order=3, review_status="unchecked")
    data = documents.working_document(briefing)
    data["url"] = "http://testserver" + data["url"]
    validate(data)
    assert_references_resolve(data)
    assert data["edition"] is None
    assert [claim["review_status"] for claim in data["claims"]] == [
        "checked",
        "checked",
        "unchecked",
    ]
