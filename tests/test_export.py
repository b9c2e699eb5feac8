"""The JSON export: valid against docs/export.schema.json, complete, and self-consistent."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from jsonschema import Draft202012Validator

from tests.factories import (
    ActorFactory,
    BriefingFactory,
    ClaimFactory,
    EventFactory,
    StaffFactory,
    briefing_with_content,
)

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(settings.BASE_DIR) / "docs" / "export.schema.json").read_text())
EXPORT_QUERIES = 12


def export_url(briefing):
    return reverse("briefing:export", kwargs={"slug": briefing.slug})


def get_export(client, briefing):
    response = client.get(export_url(briefing))
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
    assert len(data["claims"]) == demo.claims.count()
    assert len(data["events"]) == demo.events.count()
    assert len(data["paragraphs"]) == demo.paragraphs.count()
    starts = [event["start"] for event in data["events"]]
    assert starts == sorted(starts)


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


def test_one_times_the_data_exports_in_the_same_number_of_queries(
    client, django_assert_num_queries
):
    briefing = briefing_with_content(1)
    with django_assert_num_queries(EXPORT_QUERIES):
        validate(client.get(export_url(briefing)).json())


def test_claims_carry_source_status_paragraph_quote_actors_and_events(client):
    claim = ClaimFactory(figure_low=10000, figure_high=12000, figure_unit="soldiers")
    actor = ActorFactory()
    event = EventFactory(briefing=claim.briefing, date_precision="month")
    claim.actors.set([actor])
    claim.events.set([event])
    data = get_export(client, claim.briefing)
    exported = data["claims"][0]
    assert exported["source"] == claim.source.slug
    assert exported["status"] == claim.status
    assert exported["paragraph"] == claim.paragraph.number
    assert exported["quote"] == claim.quote
    assert exported["actors"] == [actor.slug]
    assert exported["events"] == [event.slug]
    assert exported["figure"] == {"low": 10000, "high": 12000, "unit": "soldiers"}
    exported_event = data["events"][0]
    assert exported_event["start"] == event.start_date.isoformat()
    assert exported_event["date_precision"] == "month"
    assert exported_event["date_basis"] == "stated"
    assert exported_event["claims"] == [claim.order]


def test_unknown_article_details_are_null_not_invented(client):
    data = get_export(client, BriefingFactory(article_outlet="", article_url=""))
    assert data["article"] == {"headline": None, "outlet": None, "url": None, "published_on": None}


def test_editor_text_round_trips_unchanged(client):
    evil = '</script><script>alert("x")</script> & <b>'
    data = get_export(client, BriefingFactory(title=evil, summary=evil))
    assert data["title"] == evil
    validate(data)


def test_draft_export_is_not_found_for_the_public_but_staff_get_it(client):
    draft = BriefingFactory(draft=True)
    assert client.get(export_url(draft)).status_code == 404
    client.force_login(StaffFactory())
    assert get_export(client, draft)["status"] == "draft"


def test_export_answers_a_conditional_get_with_304(client):
    briefing = BriefingFactory()
    first = client.get(export_url(briefing))
    assert client.get(export_url(briefing), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
