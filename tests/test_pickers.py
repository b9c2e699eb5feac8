"""Pickers in the admin: exact matches first, kept to the briefing, which comes preselected."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from briefing.models import Claim, Takeaway
from tests.factories import (
    ActorFactory,
    BriefingFactory,
    ClaimFactory,
    EventFactory,
    ParagraphFactory,
    SourceFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    user = StaffFactory(username="editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def autocomplete(client, model_name, field_name, term, **extra):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "briefing", "model_name": model_name, "field_name": field_name}
        | {"term": term}
        | extra,
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_autocomplete_ranks_the_exact_match_then_prefixes_first(client, editor):
    for name in ["North Korean soldiers fighting for Russia", "Russian forces", "Russia"]:
        ActorFactory(name=name)
    client.force_login(editor)
    assert autocomplete(client, "claim", "actors", "russia") == [
        "Russia",
        "Russian forces",
        "North Korean soldiers fighting for Russia",
    ]


def test_source_autocomplete_ranks_exact_first_too(client, editor):
    for name in ["Analysts close to RIA", "RIA Novosti", "RIA"]:
        SourceFactory(name=name)
    client.force_login(editor)
    assert autocomplete(client, "claim", "source", "RIA") == [
        "RIA",
        "RIA Novosti",
        "Analysts close to RIA",
    ]


def test_an_autocomplete_scoped_to_a_briefing_offers_only_its_events(client, editor):
    mine, other = BriefingFactory(), BriefingFactory()
    EventFactory(briefing=mine, title="Talks in Pyongyang")
    EventFactory(briefing=other, title="Talks in Moscow")
    client.force_login(editor)
    assert autocomplete(client, "claim", "events", "Talks", in_briefing=mine.pk) == [
        "Talks in Pyongyang"
    ]
    assert autocomplete(client, "claim", "events", "Talks", in_briefing="x") == []
    assert len(autocomplete(client, "claim", "events", "Talks")) == 2


def test_a_claims_pickers_are_kept_to_its_briefing(client, editor):
    claim = ClaimFactory()
    ParagraphFactory(text="A paragraph of another briefing.")
    client.force_login(editor)
    response = client.get(reverse("admin:briefing_claim_change", args=[claim.pk]))
    form = response.context["adminform"].form
    assert list(form.fields["paragraph"].queryset) == [claim.paragraph]
    assert f"?in_briefing={claim.briefing_id}" in str(form["events"])
    # The related claims' picker in the inline too.
    inline_form = response.context["inline_admin_formsets"][0].formset.empty_form
    assert f"?in_briefing={claim.briefing_id}" in str(inline_form["other_claim"])


def test_the_briefing_comes_preselected_and_the_order_is_assigned(client, editor):
    briefing = BriefingFactory()
    paragraph = ParagraphFactory(briefing=briefing, text="Putin arrived on Wednesday.")
    ParagraphFactory(text="A paragraph of another briefing.")
    ClaimFactory(briefing=briefing, paragraph=paragraph, quote="Putin arrived", order=7)
    source = SourceFactory()
    client.force_login(editor)
    add_url = reverse("admin:briefing_claim_add")
    briefing_page = client.get(reverse("admin:briefing_briefing_change", args=[briefing.pk]))
    assert f"{add_url}?briefing={briefing.pk}" in briefing_page.content.decode()
    response = client.get(add_url, {"briefing": briefing.pk})
    form = response.context["adminform"].form
    assert form["briefing"].value() == str(briefing.pk)
    assert list(form.fields["paragraph"].queryset) == [paragraph]
    data = {
        "briefing": briefing.pk,
        "text": "Putin arrived.",
        "source": source.pk,
        "status": "stated",
        "credibility": 6,
        "paragraph": paragraph.pk,
        "quote": "on Wednesday",
        "review_status": "unchecked",
        "relations-TOTAL_FORMS": "0",
        "relations-INITIAL_FORMS": "0",
        "_addanother": "1",
    }
    response = client.post(add_url, data)
    assert response.status_code == 302
    assert response["Location"] == f"{add_url}?briefing={briefing.pk}"
    assert Claim.objects.get(quote="on Wednesday").order == 8


def test_takeaways_without_an_order_come_after_the_others_and_pick_only_its_claims(client, editor):
    briefing = BriefingFactory()
    Takeaway.objects.create(briefing=briefing, order=3, text="First.")
    client.force_login(editor)
    url = reverse("admin:briefing_briefing_change", args=[briefing.pk])
    response = client.get(url)
    takeaway_form = response.context["inline_admin_formsets"][1].formset.empty_form
    assert f"?in_briefing={briefing.pk}" in str(takeaway_form["claims"])
    data = {}
    for name in ["title", "slug", "summary", "bottom_line", "based_on_version"]:
        data[name] = response.context["adminform"].form[name].value()
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data |= {management.add_prefix(n): management[n].value() for n in management.fields}
        for form in formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value not in (None, "", []):
                    data[form.add_prefix(name)] = value
    data |= {"takeaways-TOTAL_FORMS": "3", "takeaways-1-text": "Second."}
    data |= {"takeaways-2-text": "Third."}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(briefing.takeaways.values_list("order", "text")) == [
        (3, "First."),
        (4, "Second."),
        (5, "Third."),
    ]


def test_autocomplete_results_name_their_briefing_unless_kept_to_one(client, editor):
    mine = BriefingFactory(title="Putin in Pyongyang")
    EventFactory(briefing=mine, title="Talks")
    ClaimFactory(briefing=mine, text="Putin arrived.")
    client.force_login(editor)
    assert autocomplete(client, "claim", "events", "Talks") == ["Talks · Putin in Pyongyang"]
    assert autocomplete(client, "takeaway", "claims", "Putin") == [
        "Putin arrived. · Putin in Pyongyang"
    ]
    assert autocomplete(client, "claim", "events", "Talks", in_briefing=mine.pk) == ["Talks"]
    # Actors and sources belong to no briefing: their names alone.
    ActorFactory(name="Vladimir Putin")
    assert autocomplete(client, "claim", "claimant", "Vladimir") == ["Vladimir Putin"]
