"""The editors' desk: pages, permissions, checking, publishing, bad input, history, CSV."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefing.models import (
    Actor,
    Briefing,
    Claim,
    Edition,
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
    ClaimFactory,
    EventFactory,
    ParagraphFactory,
    ParticipationFactory,
    SourceFactory,
    StaffFactory,
    TakeawayFactory,
    UserFactory,
    publish_edition,
)

pytestmark = pytest.mark.django_db

MODELS = ["briefing", "actor", "source", "event", "claim"]


def build_data(scale):
    """`scale` published briefings, each with `scale` paragraphs, claims, takeaways and events.

    Each is published as an edition, and its working copy then edited: a claim more, unchecked.
    """
    event = None
    state = ActorFactory(kind=Actor.Kind.STATE)
    for _ in range(scale):
        briefing = BriefingFactory()
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
        publish_edition(briefing)
        ClaimFactory(
            briefing=briefing,
            paragraph=paragraph,
            source=source,
            review_status=ReviewStatus.UNCHECKED,
        )
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
        "editions": list(demo.editions.all()),
    }
    for n in range(1, copies + 1):
        copy_briefing(demo, n, **originals)


def copy_briefing(demo, n, actors, sources, paragraphs, events, claims, takeaways, editions):
    actor = copies_of(actors, slug=lambda a: f"{a.slug}-{n}", affiliation_id=None)
    for old in actors:
        actor[old.pk].affiliation_id = old.affiliation_id and actor[old.affiliation_id].pk
    Actor.objects.bulk_update(actor.values(), ["affiliation"])
    source = copies_of(
        sources,
        slug=lambda s: f"{s.slug}-{n}",
        affiliation_id=lambda s: s.affiliation_id and actor[s.affiliation_id].pk,
        actor_id=lambda s: s.actor_id and actor[s.actor_id].pk,
    )
    briefing_id = copies_of(
        [demo], slug=f"{demo.slug}-{n}", title=f"{demo.title} ({n})", live_edition_id=None
    )[demo.pk].pk
    edition = copies_of(editions, briefing_id=briefing_id, slug=f"{demo.slug}-{n}")
    Briefing.objects.filter(pk=briefing_id).update(live_edition_id=edition[demo.live_edition_id].pk)
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
    if hasattr(model, "history"):  # as a load leaves them: one history record each
        model.history.bulk_history_create(made, default_change_reason="Copied")
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
    newest_briefing = Briefing.objects.latest("pk").pk
    newest_edition = Edition.objects.latest("pk").pk
    pages += [
        ("briefing publish", reverse("admin:briefing_briefing_publish", args=[newest_briefing])),
        ("edition list", reverse("admin:briefing_edition_changelist")),
        ("edition view", reverse("admin:briefing_edition_change", args=[newest_edition])),
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


# What each page costs with the demo loaded (SQLite and PostgreSQL alike): a page that needs more
# queries must say why here.
DEMO_PAGE_QUERIES = {
    "briefing list": 7,
    "briefing add": 3,
    # One to count the paragraphs: a long article's are edited on their own page, not inline.
    "briefing change": 12,
    "briefing history": 6,
    "actor list": 5,
    "actor add": 3,
    "actor change": 5,
    "actor history": 6,
    "source list": 5,
    "source add": 3,
    "source change": 5,
    "source history": 6,
    "event list": 8,
    "event add": 3,
    "event change": 6,
    "event history": 6,
    "claim list": 6,
    "claim add": 4,
    "claim change": 12,
    "claim history": 6,
    "briefing publish": 21,
    "edition list": 6,
    "edition view": 5,
}


def test_demo_admin_pages_answer_with_the_same_query_count_at_ten_times_the_demo(
    client, superuser, demo
):
    client.force_login(superuser)
    once = {name: count_queries(client, url) for name, url in admin_pages()}
    assert once == DEMO_PAGE_QUERIES
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
    for prefix in ["paragraphs", "takeaways", "participations"]:
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


# Permissions ---------------------------------------------------------------------


def test_editor_cannot_open_the_user_admin(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_groups_read_editions_and_relate_claims_and_only_publishers_publish(publisher, editor):
    for user in (editor, publisher):
        assert user.has_perm("briefing.view_edition")
        assert user.has_perm("briefing.add_claimrelation")
        assert user.has_perm("briefing.change_claimrelation")
        assert not user.has_perm("briefing.add_edition")
        assert not user.has_perm("briefing.change_edition")
    assert publisher.has_perm("briefing.publish_briefing")
    assert not editor.has_perm("briefing.publish_briefing")


def test_editions_are_read_only_in_the_admin_even_for_a_superuser(client, superuser):
    client.force_login(superuser)
    briefing, _ = publishable_briefing()
    edition = publish_edition(briefing, note="First.")
    page = client.get(change_url(edition))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:briefing_edition_add")).status_code == 403
    response = client.post(change_url(edition), {"note": "Rewritten.", "number": "7"})
    assert response.status_code == 403
    delete = reverse("admin:briefing_edition_delete", args=[edition.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    edition.refresh_from_db()
    assert (edition.number, edition.note) == (1, "First.")


# Publishing: the working copy and its editions ----------------------------------


def publishable_briefing(**fields):
    """A draft with everything publishing asks for: a checked claim, a takeaway resting on it."""
    briefing = BriefingFactory(**fields)
    paragraph = ParagraphFactory(briefing=briefing, text="Shoigu met Kim on Friday.")
    claim = ClaimFactory(
        briefing=briefing, order=1, paragraph=paragraph, quote="met Kim", text="Shoigu met Kim."
    )
    TakeawayFactory(briefing=briefing, order=1, text="Ties deepen.").claims.add(claim)
    return briefing, claim


def publish_url(briefing):
    return reverse("admin:briefing_briefing_publish", args=[briefing.pk])


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_editor_saves_a_published_briefings_working_copy_but_readers_keep_the_edition(
    client, editor
):
    client.force_login(editor)
    briefing, _ = publishable_briefing(title="Old title")
    edition = publish_edition(briefing)
    response = post_change(client, briefing, title="New title", bottom_line="Sharper.")
    assert response.status_code == 302
    briefing.refresh_from_db()
    assert (briefing.title, briefing.bottom_line, briefing.version) == ("New title", "Sharper.", 2)
    assert (briefing.status, briefing.live_edition) == (Briefing.Status.PUBLISHED, edition)
    edition.refresh_from_db()
    assert edition.title == "Old title"
    assert edition.document["bottom_line"] == "The one judgement to take away."
    assert Edition.objects.count() == 1


def test_editor_has_no_way_to_the_publish_screen(client, editor):
    client.force_login(editor)
    briefing, _ = publishable_briefing()
    publish_edition(briefing)
    page = client.get(change_url(briefing)).content.decode()
    assert publish_url(briefing) not in page
    assert 'name="_publish"' not in page
    changelist = client.get(reverse("admin:briefing_briefing_changelist")).content.decode()
    assert "publish_selected" not in changelist
    assert client.get(publish_url(briefing)).status_code == 403
    assert client.post(publish_url(briefing), {"note": "Mine.", "_publish": "1"}).status_code == 403
    assert client.post(publish_url(briefing), {"_withdraw": "1"}).status_code == 403
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.PUBLISHED
    assert Edition.objects.count() == 1


def test_editor_cannot_publish_with_a_tampered_button_or_status(client, editor):
    client.force_login(editor)
    briefing, _ = publishable_briefing()
    data = form_data(client.get(change_url(briefing)))
    data |= {"status": "published", "published_at": "2025-01-01 00:00", "_publish": "1"}
    data |= {"live_edition": "1"}
    assert client.post(change_url(briefing), data).status_code == 302
    briefing.refresh_from_db()
    assert (briefing.status, briefing.published_at, briefing.live_edition) == (
        Briefing.Status.DRAFT,
        None,
        None,
    )
    assert not Edition.objects.exists()


def test_publisher_is_offered_the_publish_screen_on_the_briefing(client, publisher):
    client.force_login(publisher)
    briefing, _ = publishable_briefing()
    assert publish_url(briefing) in client.get(change_url(briefing)).content.decode()


def test_first_edition_is_refused_while_claims_or_events_are_unchecked(client, publisher):
    client.force_login(publisher)
    briefing, claim = publishable_briefing()
    Claim.objects.filter(pk=claim.pk).uncheck(None)
    EventFactory(briefing=briefing, title="The visit", review_status=ReviewStatus.CHECKED)
    screen = client.get(publish_url(briefing))
    assert screen.status_code == 200
    assert any("Shoigu met Kim." in problem for problem in screen.context["problems"])
    assert not any("The visit" in problem for problem in screen.context["problems"])

    response = client.post(publish_url(briefing), {"note": "", "_publish": "1"})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Still to be checked" in errors
    assert "Shoigu met Kim." in errors
    assert "The visit" not in errors
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT
    assert not Edition.objects.exists()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"bottom_line": ""}, "Write the bottom line."),
        ({"summary": " "}, "Write the summary."),
    ],
)
def test_first_edition_is_refused_without_the_essentials(client, publisher, change, problem):
    client.force_login(publisher)
    briefing, _ = publishable_briefing()
    Briefing.objects.filter(pk=briefing.pk).update(**change)
    response = client.post(publish_url(briefing), {"_publish": "1"})
    assert problem in " ".join(response.context["form"].non_field_errors())
    assert not Edition.objects.exists()


def test_first_edition_needs_no_note_and_shows_everything_as_added(client, publisher):
    client.force_login(publisher)
    briefing, _ = publishable_briefing()
    screen = client.get(publish_url(briefing))
    assert screen.context["problems"] == []
    assert screen.context["next_number"] == 1
    added = {
        change.label
        for section in screen.context["differences"]
        for change in section.changes
        if change.kind == "added"
    }
    assert {"Claim 1: Shoigu met Kim.", "Takeaway 1"} <= added

    response = client.post(publish_url(briefing), {"note": "", "_publish": "1"})
    assert response.status_code == 302
    briefing.refresh_from_db()
    edition = briefing.editions.get()
    assert (edition.number, edition.note, edition.published_by) == (1, "", publisher)
    assert briefing.status == Briefing.Status.PUBLISHED
    assert briefing.live_edition == edition
    assert briefing.published_at == edition.published_at
    assert edition.document["claims"][0]["text"] == "Shoigu met Kim."


def test_publisher_sees_the_differences_and_publishes_edition_2_once_checked_with_a_note(
    client, publisher, editor, checker
):
    client.force_login(publisher)
    briefing, claim = publishable_briefing()
    first = publish_edition(briefing)
    # The editor rewords the claim (which unchecks it) and adds a takeaway.
    post_change(logged_in(editor), claim, text="Shoigu met Kim Jong Un in Pyongyang.")
    TakeawayFactory(briefing=briefing, order=2, text="A summit may follow.")

    screen = client.get(publish_url(briefing))
    assert screen.status_code == 200
    assert screen.context["next_number"] == 2
    page = screen.content.decode()
    assert "Claim 1: Shoigu met Kim Jong Un in Pyongyang." in page
    assert "text: “Shoigu met Kim.” → “Shoigu met Kim Jong Un in Pyongyang.”" in page
    changes = {
        (section.title, change.kind, change.label)
        for section in screen.context["differences"]
        for change in section.changes
    }
    assert ("Takeaways", "added", "Takeaway 2") in changes
    assert ("Claims", "changed", "Claim 1: Shoigu met Kim Jong Un in Pyongyang.") in changes
    assert ("Takeaways", "changed", "Takeaway 1") not in changes
    problems = " ".join(screen.context["problems"])
    assert "Still to be checked" in problems
    assert "Shoigu met Kim Jong Un in Pyongyang." in problems

    # Refused while the claim is unchecked, even with a note.
    response = client.post(publish_url(briefing), {"note": "Reworded claim 1.", "_publish": "1"})
    assert response.status_code == 200
    assert "Still to be checked" in " ".join(response.context["form"].non_field_errors())
    assert Edition.objects.count() == 1

    # A second person checks it; still refused without a note, now that there is an edition.
    assert "Marked 1 as checked" in messages_of(check_from_list(logged_in(checker), claim))
    claim.refresh_from_db()
    assert claim.is_checked
    assert client.get(publish_url(briefing)).context["problems"] == []
    response = client.post(publish_url(briefing), {"note": "  ", "_publish": "1"})
    assert response.status_code == 200
    assert "What changed" in " ".join(response.context["form"].non_field_errors())
    assert Edition.objects.count() == 1

    response = client.post(
        publish_url(briefing), {"note": "Named Kim Jong Un and the city.", "_publish": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == change_url(briefing)
    second = briefing.editions.get(number=2)
    assert (second.note, second.published_by) == ("Named Kim Jong Un and the city.", publisher)
    assert second.document["claims"][0]["text"] == "Shoigu met Kim Jong Un in Pyongyang."
    assert [t["order"] for t in second.document["takeaways"]] == [1, 2]
    briefing.refresh_from_db()
    assert (briefing.status, briefing.live_edition) == (Briefing.Status.PUBLISHED, second)
    assert briefing.published_at == first.published_at  # first published, kept
    first.refresh_from_db()
    assert first.document["claims"][0]["text"] == "Shoigu met Kim."  # never changed


def test_withdrawing_and_publishing_again_keeps_the_first_date(client, publisher):
    client.force_login(publisher)
    briefing, _ = publishable_briefing()
    publish_edition(briefing)
    briefing.refresh_from_db()
    first_published_at = briefing.published_at
    response = client.post(publish_url(briefing), {"_withdraw": "1"})
    assert response.status_code == 302
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.WITHDRAWN
    assert not Briefing.objects.published().filter(pk=briefing.pk).exists()

    response = client.post(publish_url(briefing), {"note": "Back, unchanged.", "_publish": "1"})
    assert response.status_code == 302
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.PUBLISHED
    assert briefing.live_edition.number == 2
    assert briefing.published_at == first_published_at


# Checking: a second person, and the version they saw --------------------------------


@pytest.fixture
def checker(db):
    user = StaffFactory(username="checker")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def changelist_url(item):
    return reverse(f"admin:briefing_{item._meta.model_name}_changelist")


def seen_version(response, item):
    """The version of `item` the changelist showed, as its hidden input carries it."""
    match = re.search(rf'name="seen_version_{item.pk}" value="(\d+)"', response.content.decode())
    assert match, f"no version shown for {item}"
    return match.group(1)


def check_from_list(client, item, seen=None):
    """Select `item` in its changelist and run “Mark selected as checked”, as an editor does."""
    if seen is None:
        seen = seen_version(client.get(changelist_url(item)), item)
    return client.post(
        changelist_url(item),
        {
            "action": "mark_checked",
            "_selected_action": [item.pk],
            f"seen_version_{item.pk}": seen,
        },
        follow=True,
    )


def messages_of(response):
    return " ".join(str(message) for message in response.context["messages"])


def test_mark_as_checked_records_who_when_and_which_version(client, editor):
    client.force_login(editor)
    claim = ClaimFactory(review_status=ReviewStatus.UNCHECKED)
    event = EventFactory(review_status=ReviewStatus.UNCHECKED)
    for item in (claim, event):
        assert not item.is_checked
        check_from_list(client, item)
        item.refresh_from_db()
        assert item.review_status == ReviewStatus.CHECKED
        assert item.checked_by == editor
        assert item.checked_at is not None
        assert (item.version, item.checked_version) == (2, 2)
        assert item.is_checked


def test_a_stale_mark_as_checked_is_refused(client, editor, checker):
    client.force_login(checker)
    claim = ClaimFactory(review_status=ReviewStatus.UNCHECKED)
    shown = seen_version(client.get(changelist_url(claim)), claim)
    assert shown == "1"
    # Meanwhile the editor saves the claim: the checker has not seen this version.
    assert post_change(logged_in(editor), claim, text="Reworded.").status_code == 302

    response = check_from_list(client, claim, seen=shown)
    claim.refresh_from_db()
    assert (claim.review_status, claim.version, claim.checked_by) == (
        ReviewStatus.UNCHECKED,
        2,
        None,
    )
    text = messages_of(response)
    assert "Marked 0 as checked" in text
    assert "changed after this list was shown" in text

    response = check_from_list(client, claim)  # the list reloaded: version 2 shown
    claim.refresh_from_db()
    assert claim.is_checked
    assert (claim.checked_by, claim.version, claim.checked_version) == (checker, 3, 3)
    assert "Marked 1 as checked" in messages_of(response)


def test_mark_as_checked_without_the_shown_version_is_refused(client, editor):
    client.force_login(editor)
    claim = ClaimFactory(review_status=ReviewStatus.UNCHECKED)
    client.post(changelist_url(claim), {"action": "mark_checked", "_selected_action": [claim.pk]})
    claim.refresh_from_db()
    assert claim.review_status == ReviewStatus.UNCHECKED


def test_the_last_editor_cannot_check_from_the_list(client, editor):
    client.force_login(editor)
    own = ClaimFactory(review_status=ReviewStatus.UNCHECKED, last_edited_by=editor)
    event = EventFactory(review_status=ReviewStatus.UNCHECKED, last_edited_by=editor)
    for item in (own, event):
        response = check_from_list(client, item)
        item.refresh_from_db()
        assert (item.review_status, item.version) == (ReviewStatus.UNCHECKED, 1)
        assert "someone else must check it" in messages_of(response)


def test_the_last_editor_cannot_check_on_the_form(client, editor):
    client.force_login(editor)
    claim = ClaimFactory(review_status=ReviewStatus.UNCHECKED, last_edited_by=editor)
    response = post_change(client, claim, review_status="checked")
    assert_refused(response, "review_status", "someone else must check it")
    claim.refresh_from_db()
    assert (claim.review_status, claim.checked_by, claim.version) == (
        ReviewStatus.UNCHECKED,
        None,
        1,
    )


def test_editing_and_checking_in_one_save_is_refused(client, editor):
    client.force_login(editor)
    claim = ClaimFactory(text="Original.", review_status=ReviewStatus.UNCHECKED)
    response = post_change(client, claim, text="Reworded.", review_status="checked")
    assert_refused(response, "review_status", "someone else must check it")
    claim.refresh_from_db()
    assert (claim.text, claim.review_status, claim.version) == (
        "Original.",
        ReviewStatus.UNCHECKED,
        1,
    )


def test_a_one_person_newsroom_may_check_its_own_work(client, editor, settings):
    settings.ALLOW_SELF_CHECK = True
    client.force_login(editor)
    claim = ClaimFactory(review_status=ReviewStatus.UNCHECKED, last_edited_by=editor)
    event = EventFactory(review_status=ReviewStatus.UNCHECKED, last_edited_by=editor)
    assert post_change(client, claim, review_status="checked").status_code == 302
    check_from_list(client, event)
    for item in (claim, event):
        item.refresh_from_db()
        assert item.is_checked
        assert (item.checked_by, item.checked_version) == (editor, 2)


def test_checking_on_the_change_form_records_the_checker(client, editor):
    client.force_login(editor)
    claim = ClaimFactory(review_status=ReviewStatus.UNCHECKED)
    data = form_data(client.get(change_url(claim))) | {"review_status": "checked"}
    data["checked_by"] = str(UserFactory().pk)  # read-only: ignored
    response = client.post(change_url(claim), data)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.checked_by == editor
    assert (claim.version, claim.checked_version) == (2, 2)
    assert claim.is_checked


def test_editing_a_checked_claim_makes_it_unchecked_again(client, editor):
    client.force_login(editor)
    claim = ClaimFactory(review_status=ReviewStatus.CHECKED, checked_by=editor)
    assert claim.is_checked
    response = post_change(client, claim, text="Reworded after the check.")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.text, claim.review_status, claim.checked_by, claim.checked_version) == (
        "Reworded after the check.",
        ReviewStatus.UNCHECKED,
        None,
        None,
    )
    assert claim.last_edited_by == editor
    assert not claim.may_be_checked_by(editor)


def test_saving_a_checked_event_unchanged_keeps_it_checked(client, editor):
    client.force_login(editor)
    event = EventFactory(review_status=ReviewStatus.CHECKED, checked_by=editor)
    ParticipationFactory(event=event)
    assert post_change(client, event).status_code == 302
    event.refresh_from_db()
    assert (event.review_status, event.checked_by) == (ReviewStatus.CHECKED, editor)
    assert (event.version, event.checked_version) == (2, 2)
    assert event.is_checked


def test_editing_a_paragraph_unchecks_the_claims_quoting_it(client, editor):
    client.force_login(editor)
    briefing = BriefingFactory()
    edited = ParagraphFactory(briefing=briefing, number=1, text="Shoigu met Kim on Friday.")
    other = ParagraphFactory(briefing=briefing, number=2, text="TASS reported the talks.")
    quoting = ClaimFactory(briefing=briefing, paragraph=edited, quote="met Kim")
    also_quoting = ClaimFactory(briefing=briefing, paragraph=edited, quote="on Friday")
    elsewhere = ClaimFactory(briefing=briefing, paragraph=other, quote="TASS reported")
    data = form_data(client.get(change_url(briefing)))
    row = next(key for key, value in data.items() if value == str(edited.pk) and "-id" in key)
    data[row.replace("-id", "-text")] = "Shoigu met Kim on Friday, 21 March."

    response = client.post(change_url(briefing), data, follow=True)
    assert response.status_code == 200
    edited.refresh_from_db()
    assert edited.text == "Shoigu met Kim on Friday, 21 March."
    for claim in (quoting, also_quoting):
        claim.refresh_from_db()
        assert not claim.is_checked
        assert (claim.review_status, claim.checked_version) == (ReviewStatus.UNCHECKED, None)
        assert (claim.version, claim.last_edited_by) == (2, editor)
    elsewhere.refresh_from_db()
    assert elsewhere.is_checked
    assert "2 claim(s) quoting the edited paragraphs need checking again" in (
        response.content.decode()
    )


def test_saving_the_briefing_with_paragraphs_unchanged_keeps_its_claims_checked(client, editor):
    client.force_login(editor)
    briefing, claim = publishable_briefing()
    assert post_change(client, briefing, title="Retitled").status_code == 302
    claim.refresh_from_db()
    assert claim.is_checked


def test_changing_an_events_participants_unchecks_it(client, editor):
    client.force_login(editor)
    event = EventFactory()
    ParticipationFactory(event=event, role="visitor")
    untouched = EventFactory(briefing=event.briefing)
    data = form_data(client.get(change_url(event))) | {"participations-0-role": "host"}
    assert client.post(change_url(event), data).status_code == 302
    event.refresh_from_db()
    assert list(event.participations.values_list("role", flat=True)) == ["host"]
    assert not event.is_checked
    assert (event.review_status, event.last_edited_by) == (ReviewStatus.UNCHECKED, editor)
    assert not event.may_be_checked_by(editor)
    untouched.refresh_from_db()
    assert untouched.is_checked


def test_adding_a_participant_unchecks_the_event(client, editor):
    client.force_login(editor)
    event = EventFactory()
    actor = ActorFactory()
    data = form_data(client.get(change_url(event))) | {
        "participations-TOTAL_FORMS": "1",
        "participations-0-actor": str(actor.pk),
        "participations-0-role": "visitor",
    }
    assert client.post(change_url(event), data).status_code == 302
    event.refresh_from_db()
    assert list(event.participations.values_list("actor", flat=True)) == [actor.pk]
    assert not event.is_checked


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
    briefing = BriefingFactory()
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
    claim = ClaimFactory(text="First wording.")  # checked, at version 1
    post_change(client, claim, text="Second wording.")
    original = claim.history.last()
    revert_url = reverse("admin:briefing_claim_simple_history", args=[claim.pk, original.pk])
    response = client.post(revert_url, form_data(client.get(revert_url)))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.text, claim.version) == ("First wording.", 3)
    # The revert is a new version by whoever reverted: it needs a new check by someone else.
    assert not claim.is_checked
    assert claim.last_edited_by == editor


def test_reverting_a_briefing_never_changes_its_publication(client, editor):
    client.force_login(editor)
    briefing, _ = publishable_briefing(title="Old title")
    post_change(client, briefing, title="New title")
    briefing.refresh_from_db()
    edition = publish_edition(briefing)  # published since the edit
    original = briefing.history.last()  # a draft, with no edition
    revert_url = reverse("admin:briefing_briefing_simple_history", args=[briefing.pk, original.pk])
    assert client.post(revert_url, form_data(client.get(revert_url))).status_code == 302
    briefing.refresh_from_db()
    assert (briefing.title, briefing.status) == ("Old title", "published")
    assert (briefing.live_edition, briefing.published_at) == (edition, edition.published_at)
    edition.refresh_from_db()
    assert edition.title == "New title"  # readers see the edition until the next is published


def test_a_save_never_undoes_a_publication_made_while_the_form_was_open(client, editor):
    client.force_login(editor)
    briefing, _ = publishable_briefing(title="Old title")
    data = form_data(client.get(change_url(briefing))) | {"title": "New title"}
    edition = publish_edition(briefing)  # a Publisher publishes meanwhile
    assert client.post(change_url(briefing), data).status_code == 302
    briefing.refresh_from_db()
    assert (briefing.title, briefing.status, briefing.live_edition) == (
        "New title",
        Briefing.Status.PUBLISHED,
        edition,
    )


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
    for obj in (claim, event):
        response = client.get(change_url(obj))
        link = response.context["absolute_url"]
        assert "View on site" in response.content.decode()
        assert client.get(link)["Location"].endswith(obj.get_absolute_url())
    # The briefing's working copy is seen in its preview, never at the readers' address.
    response = client.get(change_url(claim.briefing))
    preview = reverse("briefing:preview", kwargs={"slug": claim.briefing.slug})
    assert response.context["absolute_url"] == preview
    assert client.get(preview).status_code == 200
    assert "View on site" not in client.get(change_url(claim.source)).content.decode()


def test_paragraphs_and_takeaways_are_edited_inline_under_the_briefing(client, superuser):
    client.force_login(superuser)
    takeaway = TakeawayFactory(text="Ties deepen.")
    ParagraphFactory(briefing=takeaway.briefing, text="An inline paragraph.")
    page = client.get(change_url(takeaway.briefing)).content.decode()
    assert "Ties deepen." in page
    assert "An inline paragraph." in page
    assert Paragraph.objects.count() == 1
    assert Takeaway.objects.count() == 1


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
