"""The annotation desk: the article sentence by sentence, claims drafted and saved on it."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefing.models import Actor, Briefing, Claim, Event, ReviewStatus, Source
from briefing.publishing import publishing_problems
from tests.factories import (
    ActorFactory,
    BriefingFactory,
    ClaimFactory,
    ParagraphFactory,
    SourceFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

PARAGRAPH_1 = (
    "MOSCOW, June 19 (AFP): Russian President Vladimir Putin arrived in Pyongyang on "
    "Wednesday, state media said. It is his first visit in 24 years."
)
PARAGRAPH_2 = (
    "The two leaders signed a treaty, according to RIA Novosti. "
    "Choe Son Hui met Sergei Lavrov on Tuesday."
)


@pytest.fixture
def editor(db):
    user = StaffFactory(username="editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def article(db):
    briefing = BriefingFactory(
        title="Putin in Pyongyang", article_published_on=datetime.date(2024, 6, 19)
    )
    first = ParagraphFactory(briefing=briefing, number=1, text=PARAGRAPH_1)
    second = ParagraphFactory(briefing=briefing, number=2, text=PARAGRAPH_2)
    return briefing, first, second


@pytest.fixture
def known(db):
    return {
        "putin": ActorFactory(name="Vladimir Putin", aliases="Putin"),
        "lavrov": ActorFactory(name="Sergei Lavrov"),
        "ria": SourceFactory(name="RIA Novosti", kind=Source.Kind.STATE_MEDIA),
        "afp": SourceFactory(name="AFP", kind=Source.Kind.MEDIA),
    }


def desk_url(briefing, **params):
    url = reverse("admin:briefing_briefing_desk", args=[briefing.pk])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def text_of(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def draft_post(response, **changes):
    """The draft claim's form as the editor's browser would send it, with `changes`."""
    form = response.context["forms"]["claim"]
    draft = response.context["draft"]
    data = {"p": draft.paragraph.number, "start": draft.start, "end": draft.end, "_claim": "1"}
    for name in form.fields:
        value = form[name].value()
        if value in (None, "", []):
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data | changes


def test_the_briefing_page_links_to_its_desk(client, editor, article):
    briefing, _, _ = article
    client.force_login(editor)
    response = client.get(reverse("admin:briefing_briefing_change", args=[briefing.pk]))
    assert desk_url(briefing) in response.content.decode()


def test_the_desk_shows_every_sentence_with_its_coverage_and_marks_quotes(client, editor, article):
    briefing, first, _ = article
    ClaimFactory(briefing=briefing, paragraph=first, quote="It is his first visit", order=1)
    client.force_login(editor)
    response = client.get(desk_url(briefing))
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 of 4 sentences have claims." in text_of(response)
    assert page.count('desk-badge-uncovered">No claim yet') == 3
    assert '<mark class="desk-quote" title="claim 1">It is his first visit</mark>' in page
    assert 'id="p1s2" class="desk-sentence desk-covered"' in page
    assert 'id="p2s2" class="desk-sentence desk-uncovered"' in page
    assert page.count("Claim this sentence<") == 4


def test_a_heading_is_shown_but_not_counted_as_a_sentence_needing_a_claim(client, editor, article):
    briefing, _, _ = article
    ParagraphFactory(briefing=briefing, number=3, text="Talks in Pyongyang", is_heading=True)
    client.force_login(editor)
    response = client.get(desk_url(briefing))
    page = response.content.decode()
    assert "0 of 4 sentences have claims." in text_of(response)
    assert page.count('desk-badge-uncovered">No claim yet') == 4
    assert 'id="p3s1" class="desk-sentence"' in page
    assert "A heading: no claim needed" in page


def test_the_desk_page_has_no_inline_script_or_style(client, editor, article):
    client.force_login(editor)
    page = client.get(desk_url(article[0], p=1, s=1)).content.decode()
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert re.search(r'<script src="/static/briefing/desk\.[0-9a-f]+\.js" defer>', page)


def test_claim_this_sentence_opens_a_draft_with_the_quote_and_suggestions(
    client, editor, article, known
):
    briefing, _, _ = article
    client.force_login(editor)
    response = client.get(desk_url(briefing, p=2, s=1))
    form = response.context["forms"]["claim"]
    assert form["quote"].value() == "The two leaders signed a treaty, according to RIA Novosti."
    assert form["paragraph"].value() == article[2].pk
    assert form["status"].value() == "attributed"
    assert form["source"].value() == known["ria"].pk
    page = response.content.decode()
    assert (
        '<mark class="desk-cue" title="attribution cue: attributed">according to RIA Novosti'
        in page
    )
    assert "RIA Novosti (suggested)" in page


def test_actors_and_dates_of_the_sentence_are_suggested(client, editor, article, known):
    briefing, _, _ = article
    client.force_login(editor)
    response = client.get(desk_url(briefing, p=2, s=2))
    form = response.context["forms"]["claim"]
    assert form["actors"].value() == [known["lavrov"].pk]
    page = text_of(response)
    assert "‘on Tuesday’ in an article dated 19 June 2024 → 2024-06-18, inferred" in page
    # A name no actor has is offered as a new actor.
    actor_forms = response.context["actor_forms"]
    assert [f["name"].value() for f in actor_forms] == ["Choe Son Hui"]
    event_form = response.context["event_forms"][0]
    assert event_form["date_edtf"].value() == "2024-06-18"
    assert event_form["date_basis"].value() == "inferred"


def test_saving_the_draft_makes_a_claim_in_one_submission_and_returns_to_the_article(
    client, editor, article, known
):
    briefing, _, second = article
    ClaimFactory(briefing=briefing, paragraph=article[1], quote="It is his first visit", order=4)
    client.force_login(editor)
    response = client.get(desk_url(briefing, p=2, s=1))
    data = draft_post(response, text="Russia and North Korea signed a treaty.")
    response = client.post(desk_url(briefing, p=2, s=1), data)
    assert response.status_code == 302
    assert response["Location"] == desk_url(briefing) + "#p2"
    claim = Claim.objects.get(briefing=briefing, paragraph=second)
    assert claim.order == 5
    assert claim.quote == "The two leaders signed a treaty, according to RIA Novosti."
    assert (claim.source, claim.status) == (known["ria"], "attributed")
    assert claim.last_edited_by == editor
    assert claim.review_status == ReviewStatus.UNCHECKED
    assert claim.history.get().history_user == editor
    response = client.get(desk_url(briefing))
    assert "2 of 4 sentences have claims." in text_of(response)


def test_selected_words_become_the_quote_without_surrounding_spaces(client, editor, article):
    briefing, first, _ = article
    start = first.text.index("Russian President")
    end = first.text.index(" arrived") + 1
    client.force_login(editor)
    response = client.get(desk_url(briefing, p=1, start=start - 1, end=end))
    assert response.context["forms"]["claim"]["quote"].value() == "Russian President Vladimir Putin"


@pytest.mark.parametrize(
    "params",
    [
        {"p": 9, "s": 1},
        {"p": 1, "s": 9},
        {"p": 1, "s": 0},
        {"p": "x", "s": 1},
        {"p": 1, "start": 5},
        {"p": 1, "start": 50, "end": 10},
        {"p": 1, "start": 0, "end": 99999},
    ],
)
def test_pointing_at_words_the_article_does_not_have_is_a_404(client, editor, article, params):
    client.force_login(editor)
    assert client.get(desk_url(article[0], **params)).status_code == 404


def test_a_paragraph_of_another_briefing_is_refused_and_nothing_is_saved(
    client, editor, article, known
):
    briefing, _, _ = article
    other = ParagraphFactory(text=PARAGRAPH_2)
    client.force_login(editor)
    response = client.get(desk_url(briefing, p=2, s=1))
    response = client.post(desk_url(briefing), draft_post(response, paragraph=str(other.pk)))
    assert response.status_code == 200
    assert "paragraph" in response.context["forms"]["claim"].errors
    assert not Claim.objects.exists()


def test_a_quote_the_paragraph_does_not_have_is_refused(client, editor, article, known):
    briefing, _, _ = article
    client.force_login(editor)
    response = client.get(desk_url(briefing, p=2, s=1))
    response = client.post(desk_url(briefing), draft_post(response, quote="signed a pact"))
    assert "quote" in response.context["forms"]["claim"].errors
    assert not Claim.objects.exists()


def test_a_user_without_permission_to_view_briefings_cannot_open_the_desk(client, article):
    client.force_login(StaffFactory())
    assert client.get(desk_url(article[0])).status_code == 403


def test_a_user_who_may_not_add_claims_cannot_save_one(client, article, known):
    briefing, _, _ = article
    viewer = StaffFactory()
    viewer.user_permissions.add(
        *ContentType.objects.get_for_model(briefing).permission_set.filter(codename="view_briefing")
    )
    client.force_login(viewer)
    response = client.get(desk_url(briefing, p=1, s=1))
    assert response.status_code == 200
    assert "Claim this sentence" not in response.content.decode()
    data = {"p": 1, "s": 1, "_claim": "1", "paragraph": article[1].pk, "quote": "It is"}
    assert client.post(desk_url(briefing), data).status_code == 403
    assert not Claim.objects.exists()


def test_a_new_actor_from_a_mention_is_created_and_the_draft_kept(client, editor, article, known):
    briefing, _, _ = article
    client.force_login(editor)
    data = {"p": 2, "start": 59, "end": 100, "_actor": "1"}
    data |= {"actor-name": "Choe Son Hui", "actor-kind": "person", "actor-role": ""}
    response = client.post(desk_url(briefing), data)
    assert response.status_code == 302
    assert response["Location"] == desk_url(briefing, p=2, start=59, end=100) + "#draft"
    actor = Actor.objects.get(name="Choe Son Hui")
    assert actor.slug == "choe-son-hui"
    response = client.get(response["Location"])
    assert actor.pk in response.context["forms"]["claim"]["actors"].value()


def test_a_near_duplicate_actor_asks_for_confirmation_naming_the_match(
    client, editor, article, known
):
    briefing, _, _ = article
    client.force_login(editor)
    data = {"p": 1, "s": 1, "_actor": "1", "actor-name": "Putin", "actor-kind": "person"}
    response = client.post(desk_url(briefing), data)
    assert response.status_code == 200
    assert "“Putin” closely matches “Vladimir Putin” (as “Putin”)" in text_of(response)
    assert not Actor.objects.filter(name="Putin").exists()
    # Confirmed: created all the same.
    response = client.post(desk_url(briefing), data | {"actor-confirm_duplicate": "on"})
    assert response.status_code == 302
    assert Actor.objects.filter(name="Putin").exists()


def test_a_new_event_gets_its_inferred_date_and_the_reasoning(client, editor, article):
    briefing, _, _ = article
    client.force_login(editor)
    response = client.get(desk_url(briefing, p=1, s=1))
    # The sentence gives two dates: the dateline's “June 19” and “on Wednesday”.
    event_form = next(
        form
        for form in response.context["event_forms"]
        if form["date_note"].value().startswith("‘on Wednesday’")
    )
    data = {"p": 1, "s": 1, "_event": "1", "event_prefix": event_form.prefix}
    for name in ("date_edtf", "date_basis", "date_note"):
        data[event_form.add_prefix(name)] = event_form[name].value()
    data |= {
        event_form.add_prefix("title"): "Putin arrives in Pyongyang",
        event_form.add_prefix("kind"): "visit",
        event_form.add_prefix("status"): "occurred",
    }
    response = client.post(desk_url(briefing), data)
    assert response.status_code == 302
    event = Event.objects.get(briefing=briefing)
    assert (event.slug, event.date_edtf, event.date_basis) == (
        "putin-arrives-in-pyongyang",
        "2024-06-19",
        "inferred",
    )
    assert (
        event.date_note == "‘on Wednesday’ in an article dated 19 June 2024 → 2024-06-19, inferred"
    )
    assert event.review_status == ReviewStatus.UNCHECKED


def test_the_dateline_is_offered_and_saved_only_when_the_editor_confirms(client, editor):
    briefing = BriefingFactory()
    ParagraphFactory(briefing=briefing, number=1, text=PARAGRAPH_1)
    client.force_login(editor)
    response = client.get(desk_url(briefing))
    assert "Suggested from the dateline “MOSCOW, June 19 (AFP):”" in response.content.decode()
    assert response.context["forms"]["dateline"]["article_outlet"].value() == "AFP"
    briefing.refresh_from_db()
    assert briefing.article_outlet == ""
    data = {
        "_dateline": "1",
        "article_outlet": "AFP",
        "article_published_on": "2024-06-19",
        "based_on_version": briefing.version,
    }
    assert client.post(desk_url(briefing), data).status_code == 302
    briefing.refresh_from_db()
    assert (briefing.article_outlet, briefing.article_published_on) == (
        "AFP",
        datetime.date(2024, 6, 19),
    )
    # A second confirmation based on the old version is refused.
    response = client.post(desk_url(briefing), data)
    assert response.status_code == 200
    assert "Someone saved the briefing meanwhile" in response.content.decode()


def test_the_desks_query_count_does_not_grow_with_the_claims(client, editor, article, known):
    briefing, first, second = article

    def queries():
        ContentType.objects.clear_cache()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(desk_url(briefing, p=2, s=1)).status_code == 200
        return len(captured)

    client.force_login(editor)
    claim = ClaimFactory(briefing=briefing, paragraph=first, quote="It is his first visit", order=1)
    claim.actors.set([known["putin"]])
    few = queries()
    for order in range(2, 12):
        claim = ClaimFactory(briefing=briefing, paragraph=second, quote="treaty", order=order)
        claim.actors.set([ActorFactory()])
    assert queries() == few


def test_pasting_title_and_article_is_enough_for_a_draft_and_leads_to_the_desk(client, editor):
    client.force_login(editor)
    data = {
        "title": "Putin in Pyongyang",
        "slug": "putin-in-pyongyang",
        "article_text": f"{PARAGRAPH_1}\n\n{PARAGRAPH_2}\n",
    }
    for prefix in ["paragraphs", "takeaways"]:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = client.post(reverse("admin:briefing_briefing_add"), data)
    briefing = Briefing.objects.get(slug="putin-in-pyongyang")
    assert response["Location"] == desk_url(briefing)
    assert (briefing.summary, briefing.paragraphs.count()) == ("", 2)
    # Publishing still asks for the conclusions.
    assert "Write the summary." in publishing_problems(briefing)
    assert "Write the bottom line." in publishing_problems(briefing)


def test_a_source_named_by_a_cue_is_created_with_its_actor_in_one_step(client, editor, article):
    briefing, _, _ = article
    client.force_login(editor)
    response = client.get(desk_url(briefing, p=2, s=1))
    assert response.context["source_form"]["name"].value() == "RIA Novosti"
    data = {"p": 2, "s": 1, "_source": "1", "source-name": "RIA Novosti"}
    data |= {"source-kind": "state_media", "source-also_actor_kind": "media_outlet"}
    response = client.post(desk_url(briefing), data)
    assert response.status_code == 302
    source = Source.objects.get(name="RIA Novosti")
    assert (source.actor.name, source.actor.kind) == ("RIA Novosti", "media_outlet")
    # The next draft on the sentence proposes it as the source, and RIA Novosti as its actor.
    response = client.get(desk_url(briefing, p=2, s=1))
    form = response.context["forms"]["claim"]
    assert form["source"].value() == source.pk
    assert form["claimant"].value() is None
    assert source.actor.pk in form["actors"].value()


def test_claims_are_reordered_by_moving_them(client, editor, article):
    briefing, first, second = article
    one = ClaimFactory(briefing=briefing, paragraph=first, quote="It is", order=1)
    two = ClaimFactory(briefing=briefing, paragraph=second, quote="treaty", order=2)
    client.force_login(editor)
    response = client.post(desk_url(briefing), {"_move": "up", "claim": two.pk})
    assert response["Location"] == desk_url(briefing) + "#claim-order"
    assert list(briefing.claims.order_by("order").values_list("pk", flat=True)) == [two.pk, one.pk]
    # The first cannot move further up; a claim of another briefing is not found.
    client.post(desk_url(briefing), {"_move": "up", "claim": two.pk})
    assert list(briefing.claims.order_by("order").values_list("order", "pk")) == [
        (1, two.pk),
        (2, one.pk),
    ]
    stranger = ClaimFactory()
    assert client.post(desk_url(briefing), {"_move": "up", "claim": stranger.pk}).status_code == 404
