"""A crafted admin request gets a 400, a 404, a redirect or a form error: never a 500.

HUGE is above 2**63: SQLite cannot even bind it as a query parameter.
"""

import pytest
from django.urls import reverse

from briefing.models import ReviewStatus
from tests.factories import (
    ClaimFactory,
    ClaimRelationFactory,
    EventFactory,
    ParticipationFactory,
    TakeawayFactory,
    UserFactory,
    publish_edition,
)
from tests.test_admin import change_url, form_data

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
BAD_IDS = [HUGE, "abc", "-1", "0"]
MODELS = ["briefing", "actor", "source", "event", "claim", "edition", "paragraph"]
WITH_HISTORY = ["briefing", "actor", "source", "event", "claim"]
ANSWERS = {200, 302, 400, 403, 404}


@pytest.fixture
def claim(db):
    """A claim with everything around it, so that every admin page has something to show."""
    claim = ClaimFactory(review_status=ReviewStatus.UNCHECKED)
    event = EventFactory(briefing=claim.briefing)
    claim.events.add(event)
    ParticipationFactory(event=event)
    ClaimRelationFactory(claim=claim)
    TakeawayFactory(briefing=claim.briefing).claims.add(claim)
    publish_edition(claim.briefing)
    return claim


@pytest.fixture
def chief_client(client, claim):
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    return client


def object_pages(bad_id):
    pages = [
        f"/admin/briefing/{model}/{bad_id}/{page}"
        for model in MODELS
        for page in ("change/", "delete/", "history/")
    ]
    pages += [f"/admin/briefing/{model}/{bad_id}/history/1/" for model in WITH_HISTORY]
    pages += [f"/admin/briefing/briefing/{bad_id}/publish/"]
    return pages


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_object_pages_with_a_malformed_or_huge_id_never_fail(chief_client, bad_id):
    for url in object_pages(bad_id):
        assert chief_client.get(url).status_code in ANSWERS, url


@pytest.mark.parametrize("version", [HUGE, "abc", "-1"])
def test_history_pages_with_a_malformed_or_huge_version_answer_404(chief_client, claim, version):
    for obj in (claim, claim.briefing, claim.source, claim.events.get()):
        url = reverse(
            f"admin:briefing_{obj._meta.model_name}_simple_history", args=[obj.pk, 1]
        ).replace("/1/", f"/{version}/")
        assert chief_client.get(url).status_code == 404, url
    assert chief_client.get(f"/admin/briefing/claim/{claim.pk}/history/abc/").status_code == 404


PREFILLS = [
    ("claim", field)
    for field in ("briefing", "source", "claimant", "paragraph", "actors", "events")
] + [("event", "briefing"), ("paragraph", "briefing"), ("source", "affiliation")]


@pytest.mark.parametrize(("model", "field"), PREFILLS)
@pytest.mark.parametrize("value", [HUGE, "abc", f"1,{HUGE}", "-1"])
def test_add_forms_prefilled_with_a_malformed_or_huge_id_never_fail(
    chief_client, model, field, value
):
    response = chief_client.get(reverse(f"admin:briefing_{model}_add"), {field: value})
    assert response.status_code in ANSWERS


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("briefing", HUGE),
        ("source", HUGE),
        ("claimant", HUGE),
        ("paragraph", HUGE),
        ("actors", [HUGE]),
        ("events", [HUGE]),
        ("actors", ["1", HUGE]),
        ("events", ["abc"]),
        ("relations-0-other_claim", HUGE),
    ],
)
def test_a_claim_saved_with_a_huge_or_malformed_id_is_a_form_error(
    chief_client, claim, field, value
):
    data = form_data(chief_client.get(change_url(claim))) | {field: value, "text": "Changed."}
    response = chief_client.post(change_url(claim), data)
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.text, claim.version) != ("Changed.", 2)


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        ("event", "participations-0-actor", HUGE),
        ("event", "briefing", HUGE),
        ("briefing", "takeaways-0-claims", [HUGE]),
        ("briefing", "paragraphs-0-id", HUGE),
        ("actor", "affiliation", HUGE),
        ("source", "affiliation", HUGE),
    ],
)
def test_inline_and_related_fields_with_a_huge_id_are_form_errors(
    chief_client, claim, model, field, value
):
    obj = {"event": claim.events.get(), "briefing": claim.briefing, "actor": claim.actors.first()}
    obj |= {"actor": ParticipationFactory().actor, "source": claim.source}
    url = change_url(obj[model])
    response = chief_client.post(url, form_data(chief_client.get(url)) | {field: value})
    assert response.status_code == 200
    obj[model].refresh_from_db()
    assert obj[model].version == 1


@pytest.mark.parametrize("action", ["mark_checked", "export_csv", "delete_selected"])
@pytest.mark.parametrize("selected", [[HUGE], ["abc"], ["1", HUGE], [""]])
def test_actions_on_huge_or_malformed_selected_ids_never_fail(
    chief_client, claim, action, selected
):
    response = chief_client.post(
        reverse("admin:briefing_claim_changelist"),
        {"action": action, "_selected_action": selected, f"seen_version_{HUGE}": "1"},
    )
    assert response.status_code in ANSWERS
    claim.refresh_from_db()
    assert not claim.is_checked


@pytest.mark.parametrize("selected", [[HUGE], ["abc"]])
def test_deleting_huge_or_malformed_selected_paragraphs_never_fails(chief_client, selected):
    response = chief_client.post(
        reverse("admin:briefing_paragraph_changelist"),
        {"action": "delete_selected", "_selected_action": selected},
    )
    assert response.status_code in ANSWERS


@pytest.mark.parametrize("version", [HUGE, "abc", ""])
def test_mark_checked_with_a_huge_or_malformed_seen_version_marks_nothing(client, claim, version):
    checker = UserFactory(username="checker", is_staff=True, is_superuser=True)
    client.force_login(checker)
    response = client.post(
        reverse("admin:briefing_claim_changelist"),
        {
            "action": "mark_checked",
            "_selected_action": [claim.pk],
            f"seen_version_{claim.pk}": version,
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert not claim.is_checked


@pytest.mark.parametrize(
    "query",
    [
        {"date_earliest__year": "9999", "date_earliest__month": "12"},
        {"date_earliest__year": "9999", "date_earliest__month": "12", "date_earliest__day": "31"},
        {"date_earliest__year": "9999"},
        {"date_earliest__year": "abc"},
        {"briefing__id__exact": HUGE},
        {"briefing__id__exact": "abc"},
        {"p": HUGE},
        {"o": HUGE},
    ],
)
def test_changelist_filters_with_huge_or_malformed_values_never_fail(chief_client, query):
    response = chief_client.get(reverse("admin:briefing_event_changelist"), query)
    assert response.status_code in ANSWERS


@pytest.mark.parametrize("model", ["briefing", "actor", "source", "claim", "edition"])
def test_other_changelists_with_a_huge_date_or_id_never_fail(chief_client, model):
    for query in ({"created_at__year": "9999"}, {"briefing__id__exact": HUGE}, {"id__in": HUGE}):
        response = chief_client.get(reverse(f"admin:briefing_{model}_changelist"), query)
        assert response.status_code in ANSWERS, query


@pytest.mark.parametrize("term_or_id", [HUGE, "abc"])
def test_autocomplete_with_a_huge_or_malformed_term_never_fails(chief_client, term_or_id):
    response = chief_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "briefing",
            "model_name": "claim",
            "field_name": "events",
            "term": term_or_id,
        },
    )
    assert response.status_code in ANSWERS


@pytest.mark.parametrize("briefing_id", [HUGE, "-1", "abc", "0"])
def test_autocomplete_scoped_to_a_briefing_no_object_can_be_finds_nothing(
    chief_client, briefing_id
):
    response = chief_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "briefing",
            "model_name": "claim",
            "field_name": "events",
            "term": "",
            "in_briefing": briefing_id,
        },
    )
    assert response.status_code == 200
    assert response.json()["results"] == []
