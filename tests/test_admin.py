"""The editors' desk: pages, permissions, publishing, bad input, history, concurrency, CSV."""

import csv
import datetime
import io
import threading

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from briefing.models import (
    Actor,
    Briefing,
    ChangeNote,
    Claim,
    Event,
    Paragraph,
    ReviewStatus,
    Source,
    StaleVersionError,
    Takeaway,
    advance_version,
)
from tests.factories import (
    ActorFactory,
    BriefingFactory,
    ChangeNoteFactory,
    ClaimFactory,
    EventFactory,
    ParagraphFactory,
    ParticipationFactory,
    SourceFactory,
    StaffFactory,
    TakeawayFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MODELS = ["briefing", "actor", "source", "event", "claim"]


def build_data(scale):
    """`scale` briefings, each with `scale` paragraphs, claims, takeaways and events."""
    event = None
    state = ActorFactory(kind=Actor.Kind.STATE)
    for _ in range(scale):
        briefing = BriefingFactory(draft=True)
        actor = ActorFactory(affiliation=state)
        source = SourceFactory(affiliation=state)
        for _ in range(scale):
            paragraph = ParagraphFactory(briefing=briefing)
            event = EventFactory(briefing=briefing)
            ParticipationFactory(event=event, actor=actor)
            ParticipationFactory(event=event, actor=ActorFactory())
            claim = ClaimFactory(
                briefing=briefing, paragraph=paragraph, source=source, claimant=actor
            )
            claim.actors.add(actor)
            claim.events.add(event)
            TakeawayFactory(briefing=briefing).claims.add(claim)
            ChangeNoteFactory(briefing=briefing)
    ParticipationFactory.create_batch(scale, event=event)  # the newest event: `scale` more


def copy_demo(copies):
    """Add `copies` copies of the demo briefing, each with its own actors and sources."""
    demo = Briefing.objects.get(slug="shoigu-pyongyang-2025")
    originals = {
        "actors": list(Actor.objects.all()),
        "sources": list(Source.objects.all()),
        "paragraphs": list(demo.paragraphs.all()),
        "events": list(demo.events.prefetch_related("participations")),
        "claims": list(demo.claims.prefetch_related("actors", "events")),
        "takeaways": list(demo.takeaways.prefetch_related("claims")),
    }
    for n in range(1, copies + 1):
        copy_briefing(demo, n, **originals)


def copy_briefing(demo, n, actors, sources, paragraphs, events, claims, takeaways):
    actor = copies_of(actors, slug=lambda a: f"{a.slug}-{n}", affiliation_id=None)
    for old in actors:
        actor[old.pk].affiliation_id = old.affiliation_id and actor[old.affiliation_id].pk
    Actor.objects.bulk_update(actor.values(), ["affiliation"])
    source = copies_of(
        sources,
        slug=lambda s: f"{s.slug}-{n}",
        affiliation_id=lambda s: s.affiliation_id and actor[s.affiliation_id].pk,
    )
    briefing_id = copies_of([demo], slug=f"{demo.slug}-{n}", title=f"{demo.title} ({n})")[
        demo.pk
    ].pk
    paragraph = copies_of(paragraphs, briefing_id=briefing_id)
    event = copies_of(events, briefing_id=briefing_id)
    copies_of(
        [p for e in events for p in e.participations.all()],
        event_id=lambda p: event[p.event_id].pk,
        actor_id=lambda p: actor[p.actor_id].pk,
    )
    claim = copies_of(
        claims,
        briefing_id=briefing_id,
        source_id=lambda c: source[c.source_id].pk,
        claimant_id=lambda c: c.claimant_id and actor[c.claimant_id].pk,
        paragraph_id=lambda c: paragraph[c.paragraph_id].pk,
    )
    Claim.actors.through.objects.bulk_create(
        Claim.actors.through(claim_id=claim[c.pk].pk, actor_id=actor[a.pk].pk)
        for c in claims
        for a in c.actors.all()
    )
    Claim.events.through.objects.bulk_create(
        Claim.events.through(claim_id=claim[c.pk].pk, event_id=event[e.pk].pk)
        for c in claims
        for e in c.events.all()
    )
    takeaway = copies_of(takeaways, briefing_id=briefing_id)
    Takeaway.claims.through.objects.bulk_create(
        Takeaway.claims.through(takeaway_id=takeaway[t.pk].pk, claim_id=claim[c.pk].pk)
        for t in takeaways
        for c in t.claims.all()
    )


def copies_of(objects, **changes):
    """Saved copies of `objects`, changed by `changes` (values or functions of the original).

    Returned by the original's pk.
    """
    if not objects:
        return {}
    objects = sorted(objects, key=lambda obj: obj.pk)  # the newest copy is the newest's copy
    model = type(objects[0])
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    made = model.objects.bulk_create(
        model(
            **{name: getattr(obj, name) for name in fields}
            | {
                name: change(obj) if callable(change) else change
                for name, change in changes.items()
            }
        )
        for obj in objects
    )
    return {obj.pk: copy for obj, copy in zip(objects, made, strict=True)}


def admin_pages():
    """Every changelist, add, change and history page; change pages show the newest object.

    The newest briefing and event of `build_data(scale)` have `scale` rows in each inline.
    """
    pages = []
    for model in (Briefing, Actor, Source, Event, Claim):
        name = model._meta.model_name
        newest = model.objects.latest("pk").pk
        pages += [
            (f"{name} list", reverse(f"admin:briefing_{name}_changelist")),
            (f"{name} add", reverse(f"admin:briefing_{name}_add")),
            (f"{name} change", reverse(f"admin:briefing_{name}_change", args=[newest])),
            (f"{name} history", reverse(f"admin:briefing_{name}_history", args=[newest])),
        ]
    return pages


def count_queries(client, url):
    ContentType.objects.clear_cache()  # the same start for every page, whatever ran before
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.fixture
def superuser(db):
    return UserFactory(username="chief", is_staff=True, is_superuser=True)


@pytest.fixture
def editor(db):
    user = StaffFactory(username="editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def publisher(db):
    user = StaffFactory(username="publisher")
    user.groups.add(Group.objects.get(name="Publishers"))
    return user


def change_url(obj):
    return reverse(f"admin:briefing_{obj._meta.model_name}_change", args=[obj.pk])


def form_data(response):
    """The POST an editor's browser would send for the form on this admin page, unchanged."""
    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context.get("inline_admin_formsets", []):
        management = inline.formset.management_form
        data |= {
            management.add_prefix(name): management[name].value() for name in management.fields
        }
        forms += inline.formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                value = [str(item) for item in value]
            elif value is True:
                value = "on"
            data[form.add_prefix(name)] = value if isinstance(value, list) else str(value)
    return data


# Every page answers, and its query count does not grow with the data ----------


def test_every_admin_page_answers_with_the_same_query_count_at_ten_times_the_data(
    client, superuser
):
    client.force_login(superuser)
    build_data(2)
    small = {name: count_queries(client, url) for name, url in admin_pages()}
    build_data(18)  # 20 in all: ten times the data
    large = {name: count_queries(client, url) for name, url in admin_pages()}
    assert large == small


def test_demo_admin_pages_answer_with_the_same_query_count_at_ten_times_the_demo(
    client, superuser, demo
):
    client.force_login(superuser)
    once = {name: count_queries(client, url) for name, url in admin_pages()}
    copy_demo(9)
    assert Claim.objects.count() == 10 * demo.claims.count()
    tenfold = {name: count_queries(client, url) for name, url in admin_pages()}
    print("\npage              queries at 1x demo   at 10x demo")  # shown with pytest -s
    for name, count in once.items():
        print(f"{name:<18}{count:>19}{tenfold[name]:>13}")
    assert tenfold == once


# Starting a briefing from an article --------------------------------------------


def test_pasted_article_becomes_numbered_paragraphs_with_headings(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:briefing_briefing_add"),
        {
            "title": "Shoigu in Pyongyang",
            "slug": "shoigu-in-pyongyang",
            "summary": "Shoigu met Kim.",
            "article_text": "Shoigu arrives\n\nSergei Shoigu landed on Friday.\n"
            "He met Kim Jong Un.\n",
            **empty_inlines(),
        },
    )
    assert response.status_code == 302
    briefing = Briefing.objects.get(slug="shoigu-in-pyongyang")
    assert list(briefing.paragraphs.values_list("number", "text", "is_heading")) == [
        (1, "Shoigu arrives", True),
        (2, "Sergei Shoigu landed on Friday.", False),
        (3, "He met Kim Jong Un.", False),
    ]
    assert briefing.status == Briefing.Status.DRAFT
    assert briefing.article_headline == ""


def empty_inlines():
    data = {}
    for prefix in ["paragraphs", "takeaways", "change_notes", "participations"]:
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


# Permissions and publishing -----------------------------------------------------


def test_editor_cannot_open_the_user_admin(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_editor_is_not_offered_the_publish_action_or_button(client, editor):
    client.force_login(editor)
    briefing = BriefingFactory(draft=True)
    changelist = client.get(reverse("admin:briefing_briefing_changelist"))
    assert "publish_selected" not in changelist.content.decode()
    page = client.get(change_url(briefing)).content.decode()
    assert 'name="_publish"' not in page


def test_editor_cannot_publish_through_the_action(client, editor):
    client.force_login(editor)
    briefing = BriefingFactory(draft=True)
    client.post(
        reverse("admin:briefing_briefing_changelist"),
        {"action": "publish_selected", "_selected_action": [briefing.pk]},
    )
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT


def test_editor_cannot_publish_with_a_tampered_button_or_status(client, editor):
    client.force_login(editor)
    briefing = BriefingFactory(draft=True)
    data = form_data(client.get(change_url(briefing)))
    data |= {"status": "published", "published_at": "2025-01-01 00:00", "_publish": "1"}
    response = client.post(change_url(briefing), data, follow=True)
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT
    assert briefing.published_at is None
    assert "only Publishers may publish" in response.content.decode()


def test_publisher_cannot_publish_while_claims_or_events_are_unchecked(client, publisher):
    client.force_login(publisher)
    briefing = BriefingFactory(draft=True)
    ClaimFactory(briefing=briefing, text="Shoigu met Kim.", review_status=ReviewStatus.UNCHECKED)
    EventFactory(briefing=briefing, title="The visit", review_status=ReviewStatus.CHECKED)
    data = form_data(client.get(change_url(briefing))) | {"_publish": "1"}
    response = client.post(change_url(briefing), data, follow=True)
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT
    page = response.content.decode()
    assert "Not published" in page
    assert "Shoigu met Kim." in page
    assert "The visit" not in page.split("Not published")[1].split("</li>")[0]


def test_publisher_publishes_a_fully_checked_briefing_with_the_button(client, publisher):
    client.force_login(publisher)
    briefing = BriefingFactory(draft=True)
    ClaimFactory(briefing=briefing, review_status=ReviewStatus.CHECKED)
    data = form_data(client.get(change_url(briefing))) | {"_publish": "1"}
    client.post(change_url(briefing), data)
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.PUBLISHED
    assert briefing.published_at is not None


def test_publish_action_publishes_only_fully_checked_briefings(client, publisher):
    client.force_login(publisher)
    checked = BriefingFactory(draft=True)
    ClaimFactory(briefing=checked, review_status=ReviewStatus.CHECKED)
    unchecked = BriefingFactory(draft=True)
    EventFactory(briefing=unchecked, review_status=ReviewStatus.UNCHECKED)
    client.post(
        reverse("admin:briefing_briefing_changelist"),
        {"action": "publish_selected", "_selected_action": [checked.pk, unchecked.pk]},
    )
    assert Briefing.objects.get(pk=checked.pk).status == Briefing.Status.PUBLISHED
    assert Briefing.objects.get(pk=unchecked.pk).status == Briefing.Status.DRAFT


def test_unpublishing_returns_to_draft_and_republishing_keeps_the_first_date(client, publisher):
    client.force_login(publisher)
    briefing = BriefingFactory()
    first_published_at = briefing.published_at
    url = reverse("admin:briefing_briefing_changelist")
    client.post(url, {"action": "unpublish_selected", "_selected_action": [briefing.pk]})
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT
    client.post(url, {"action": "publish_selected", "_selected_action": [briefing.pk]})
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.PUBLISHED
    assert briefing.published_at == first_published_at


def test_publisher_adds_a_what_changed_note_and_editor_only_reads_notes(publisher, editor):
    assert publisher.has_perm("briefing.add_changenote")
    assert not editor.has_perm("briefing.add_changenote")
    assert editor.has_perm("briefing.view_changenote")


def test_mark_as_checked_records_who_and_when(client, editor):
    client.force_login(editor)
    claim = ClaimFactory(review_status=ReviewStatus.UNCHECKED)
    event = EventFactory(review_status=ReviewStatus.UNCHECKED)
    client.post(
        reverse("admin:briefing_claim_changelist"),
        {"action": "mark_checked", "_selected_action": [claim.pk]},
    )
    client.post(
        reverse("admin:briefing_event_changelist"),
        {"action": "mark_checked", "_selected_action": [event.pk]},
    )
    for item in (claim, event):
        item.refresh_from_db()
        assert item.review_status == ReviewStatus.CHECKED
        assert item.checked_by == editor
        assert item.checked_at is not None


def test_checking_on_the_change_form_records_the_checker(client, editor):
    client.force_login(editor)
    claim = ClaimFactory(review_status=ReviewStatus.UNCHECKED)
    data = form_data(client.get(change_url(claim))) | {"review_status": "checked"}
    data["checked_by"] = str(UserFactory().pk)  # read-only: ignored
    response = client.post(change_url(claim), data)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.checked_by == editor
    assert claim.version == 2


def test_editing_a_checked_claim_makes_it_unchecked_again(client, editor):
    client.force_login(editor)
    claim = ClaimFactory(review_status=ReviewStatus.CHECKED, checked_by=editor)
    response = post_change(client, claim, text="Reworded after the check.")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.text, claim.review_status, claim.checked_by) == (
        "Reworded after the check.",
        ReviewStatus.UNCHECKED,
        None,
    )


def test_saving_a_checked_event_unchanged_keeps_it_checked(client, editor):
    client.force_login(editor)
    event = EventFactory(review_status=ReviewStatus.CHECKED, checked_by=editor)
    assert post_change(client, event).status_code == 302
    event.refresh_from_db()
    assert (event.review_status, event.checked_by) == (ReviewStatus.CHECKED, editor)


# Bad input: a clear form error, nothing saved, never a 500 ------------------------


def post_change(client, obj, **changes):
    data = form_data(client.get(change_url(obj))) | changes
    return client.post(change_url(obj), data)


def assert_refused(response, field=None, message=""):
    assert response.status_code == 200
    form = response.context["adminform"].form
    errors = form.errors.get(field or "__all__", [])
    assert errors, form.errors
    assert message in " ".join(errors)


def test_quote_not_in_the_paragraph_is_refused_next_to_the_field(client, editor):
    client.force_login(editor)
    claim = ClaimFactory(quote="something happened")
    response = post_change(client, claim, quote="nothing happened at all")
    assert_refused(response, "quote", "does not occur verbatim in paragraph")
    assert "errors field-quote" in response.content.decode()
    claim.refresh_from_db()
    assert claim.quote == "something happened"
    assert claim.version == 1


def test_claim_form_shows_the_cited_paragraph(client, editor):
    client.force_login(editor)
    claim = ClaimFactory(paragraph__text="Shoigu said something happened in Kursk.")
    page = client.get(change_url(claim)).content.decode()
    assert "Shoigu said something happened in Kursk." in page


def add_event(client, follow=False, **fields):
    url = reverse("admin:briefing_event_add")
    data = form_data(client.get(url)) | {"title": "Shoigu meets Kim", "slug": "meeting"}
    return client.post(url, data | fields, follow=follow)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("21 March 2025", "this is not a date in EDTF"),
        ("2025-02-30", "calendar"),
        ("9999", "a briefing's dates lie between 1800 and 2199"),
        ("2025-03-21/2025-03-20", "ends (20 March 2025) before it starts (21 March 2025)"),
        ("{2024,2025}", "a briefing takes only the forms below"),
        ("2025?-03-21", "is not a plain day, month or year"),
        ("", "This field is required."),
    ],
)
def test_a_bad_edtf_date_is_refused_on_the_event_forms_and_nothing_is_saved(
    client, editor, value, message
):
    client.force_login(editor)
    event = EventFactory(date_edtf="2025-03-21")
    response = add_event(client, briefing=str(event.briefing.pk), date_edtf=value)
    assert_refused(response, "date_edtf", message)
    assert Event.objects.count() == 1
    response = post_change(client, event, date_edtf=value)
    assert_refused(response, "date_edtf", message)
    event.refresh_from_db()
    assert (event.date_edtf, event.version) == ("2025-03-21", 1)
    assert (event.date_earliest, event.date_latest) == (datetime.date(2025, 3, 21),) * 2


def test_a_good_edtf_date_saves_with_its_bounds_and_is_shown_in_words(client, editor):
    client.force_login(editor)
    briefing = BriefingFactory(draft=True)
    response = add_event(
        client,
        briefing=str(briefing.pk),
        date_edtf="2024-10/2025-03",
        date_basis="undated",
        status="planned",
        follow=True,
    )
    assert response.status_code == 200
    event = Event.objects.get(slug="meeting")
    assert (event.briefing, event.status) == (briefing, Event.Status.PLANNED)
    assert (event.date_earliest, event.date_latest) == (
        datetime.date(2024, 10, 1),
        datetime.date(2025, 3, 31),
    )
    assert "is dated between October 2024 and March 2025" in response.content.decode()

    response = post_change(client, event, date_edtf="2022/..", date_basis="stated")
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.date_edtf, event.date_earliest, event.date_latest) == (
        "2022/..",
        datetime.date(2022, 1, 1),
        None,
    )
    page = client.get(change_url(event)).content.decode()
    assert "from 2022, still going on" in page  # the date in words, next to the field


def test_malformed_wikidata_id_is_refused(client, editor):
    client.force_login(editor)
    actor = ActorFactory()
    response = post_change(client, actor, wikidata_id="Q07747")
    assert_refused(response, "wikidata_id", "Wikidata ID is a Q followed by digits")
    actor.refresh_from_db()
    assert actor.wikidata_id == ""


def test_figure_low_above_high_is_refused(client, editor):
    client.force_login(editor)
    claim = ClaimFactory()
    response = post_change(
        client, claim, figure_low="12000", figure_high="10000", figure_unit="soldiers"
    )
    assert_refused(response, "figure_high", "below the low figure")
    claim.refresh_from_db()
    assert claim.figure_low is None


def test_figure_qualifier_without_a_figure_is_refused_and_with_one_is_saved(client, editor):
    client.force_login(editor)
    claim = ClaimFactory()
    response = post_change(client, claim, figure_qualifier="approximately")
    assert_refused(response, "figure_qualifier", "A qualifier needs a figure")
    response = post_change(
        client,
        claim,
        figure_qualifier="approximately",
        figure_low="10000",
        figure_high="12000",
        figure_unit="soldiers",
        note="The article gives the range; we did not round it.",
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.figure_qualifier, claim.note) == (
        "approximately",
        "The article gives the range; we did not round it.",
    )


def test_claim_events_from_another_briefing_are_refused(client, editor):
    client.force_login(editor)
    claim = ClaimFactory()
    response = post_change(client, claim, events=[str(EventFactory().pk)])
    assert_refused(response, "events", "belong to another briefing")
    assert not claim.events.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("source", "999999"), ("source", "abc"), ("claimant", "0"), ("actors", ["x"])],
)
def test_tampered_foreign_key_is_a_form_error(client, editor, field, value):
    client.force_login(editor)
    claim = ClaimFactory()
    response = post_change(client, claim, **{field: value})
    assert_refused(response, field)
    claim.refresh_from_db()
    assert claim.version == 1


def test_tampered_status_outside_the_choices_is_a_form_error(client, editor):
    client.force_login(editor)
    claim = ClaimFactory()
    assert_refused(post_change(client, claim, status="true"), "status")
    assert_refused(post_change(client, claim, review_status="approved"), "review_status")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.STATED


# No lost work ---------------------------------------------------------------------


@pytest.mark.parametrize("factory", [ClaimFactory, EventFactory, BriefingFactory])
def test_second_of_two_concurrent_saves_is_refused_and_keeps_the_input(client, editor, factory):
    client.force_login(editor)
    obj = factory()
    first = form_data(client.get(change_url(obj)))
    second = dict(first)
    field = "title" if "title" in first else "text"
    first[field] = "Saved first"
    assert client.post(change_url(obj), first).status_code == 302
    second[field] = "Saved second"
    response = client.post(change_url(obj), second)
    assert_refused(response, message="Someone else saved this")
    assert "Saved second" in response.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, field) == "Saved first"
    assert obj.version == 2


@pytest.mark.parametrize("version", ["", "abc", "7", "-1"])
def test_tampered_version_is_refused(client, editor, version):
    client.force_login(editor)
    claim = ClaimFactory()
    response = post_change(client, claim, text="Changed", based_on_version=version)
    assert_refused(response)
    claim.refresh_from_db()
    assert claim.text != "Changed"
    assert claim.version == 1


def test_successful_saves_advance_the_version(client, editor):
    client.force_login(editor)
    event = EventFactory()
    post_change(client, event, title="Once")
    post_change(client, event, title="Twice")
    event.refresh_from_db()
    assert (event.title, event.version) == ("Twice", 3)


# History ----------------------------------------------------------------------------


def test_history_records_an_edit_and_a_revert_restores_it(client, editor):
    client.force_login(editor)
    actor = ActorFactory(name="Sergei Shoigu")
    post_change(client, actor, name="Sergei Shoygu")
    actor.refresh_from_db()
    assert actor.name == "Sergei Shoygu"
    edit = actor.history.first()
    assert edit.history_user == editor
    original = actor.history.last()
    history_page = client.get(reverse("admin:briefing_actor_history", args=[actor.pk]))
    assert "Sergei Shoygu" in history_page.content.decode()

    revert_url = reverse("admin:briefing_actor_simple_history", args=[actor.pk, original.pk])
    response = client.post(revert_url, form_data(client.get(revert_url)))
    assert response.status_code == 302
    actor.refresh_from_db()
    assert actor.name == "Sergei Shoigu"


def test_reverting_a_claim_checks_and_advances_the_version(client, editor):
    client.force_login(editor)
    claim = ClaimFactory(text="First wording.")
    post_change(client, claim, text="Second wording.")
    original = claim.history.last()
    revert_url = reverse("admin:briefing_claim_simple_history", args=[claim.pk, original.pk])
    response = client.post(revert_url, form_data(client.get(revert_url)))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.text, claim.version) == ("First wording.", 3)


def test_reverting_a_briefing_never_changes_its_publication(client, editor):
    client.force_login(editor)
    briefing = BriefingFactory(draft=True, title="Old title")
    post_change(client, briefing, title="New title")
    # Published since the edit:
    Briefing.objects.filter(pk=briefing.pk).update(status="published", published_at=timezone.now())
    original = briefing.history.last()
    revert_url = reverse("admin:briefing_briefing_simple_history", args=[briefing.pk, original.pk])
    client.post(revert_url, form_data(client.get(revert_url)))
    briefing.refresh_from_db()
    assert (briefing.title, briefing.status) == ("Old title", "published")


# CSV export ---------------------------------------------------------------------------


def test_csv_export_neutralises_formulas(client, editor):
    client.force_login(editor)
    paragraph = ParagraphFactory(text="=HYPERLINK(1) and +2 and -3 and @SUM")
    claim = ClaimFactory(
        briefing=paragraph.briefing,
        paragraph=paragraph,
        text='=HYPERLINK("http://evil")',
        quote="=HYPERLINK(1)",
        source=SourceFactory(name="+Source"),
        claimant=ActorFactory(name="@Actor"),
    )
    other = ClaimFactory(text="-3 soldiers", quote="something happened")
    tab = ClaimFactory(text="\tTabbed", quote="something happened")
    response = client.post(
        reverse("admin:briefing_claim_changelist"),
        {"action": "export_csv", "_selected_action": [claim.pk, other.pk, tab.pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["text", "claimant", "source", "status", "credibility", "paragraph", "quote"]
    by_text = {row[0]: row for row in rows[1:]}
    row = by_text['\'=HYPERLINK("http://evil")']
    assert row[1:3] == ["'@Actor", "'+Source"]
    assert row[5] == str(paragraph.number)
    assert row[6] == "'=HYPERLINK(1)"
    assert "'-3 soldiers" in by_text
    assert "'\tTabbed" in by_text
    for row in rows:
        assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_view_on_site_links_objects_that_have_a_page(client, superuser):
    client.force_login(superuser)
    claim = ClaimFactory()
    event = EventFactory(briefing=claim.briefing)
    for obj in (claim.briefing, claim, event):
        response = client.get(change_url(obj))
        link = response.context["absolute_url"]
        assert "View on site" in response.content.decode()
        assert client.get(link)["Location"].endswith(obj.get_absolute_url())
    assert "View on site" not in client.get(change_url(claim.source)).content.decode()


def test_paragraph_and_note_models_are_edited_inline_under_the_briefing(client, superuser):
    client.force_login(superuser)
    note = ChangeNoteFactory(text="Corrected the date.")
    ParagraphFactory(briefing=note.briefing, text="An inline paragraph.")
    page = client.get(change_url(note.briefing)).content.decode()
    assert "Corrected the date." in page
    assert "An inline paragraph." in page
    assert Paragraph.objects.count() == 1
    assert ChangeNote.objects.count() == 1


def test_two_saves_based_on_the_same_version_cannot_both_advance_it():
    claim = ClaimFactory()
    first, second = Claim.objects.get(pk=claim.pk), Claim.objects.get(pk=claim.pk)
    advance_version(first, 1)
    with pytest.raises(StaleVersionError):
        advance_version(second, 1)
    claim.refresh_from_db()
    assert claim.version == 2


def test_tampered_actor_in_a_participant_row_is_a_form_error(client, editor):
    client.force_login(editor)
    event = ParticipationFactory().event
    data = form_data(client.get(change_url(event))) | {"participations-0-actor": "abc"}
    response = client.post(change_url(event), data)
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors[0]["actor"]
    event.refresh_from_db()
    assert event.version == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks, and its in-memory test database is "
    "not shared between the threads' connections",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_of_two_simultaneous_saves_of_one_version_exactly_one_lands():
    claim = ClaimFactory(text="Original.")
    user = UserFactory(username="chief", is_staff=True, is_superuser=True)
    clients = [Client(), Client()]
    posts = []
    for n, each in enumerate(clients):
        each.force_login(user)
        posts.append(form_data(each.get(change_url(claim))) | {"text": f"Saved by {n}."})
    start = threading.Barrier(2)
    statuses = {}

    def save(n):
        start.wait()
        try:
            statuses[n] = clients[n].post(change_url(claim), posts[n]).status_code
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [200, 302]  # one saved, one shown the form again
    claim.refresh_from_db()
    winner = next(n for n, status in statuses.items() if status == 302)
    assert (claim.text, claim.version) == (f"Saved by {winner}.", 2)
