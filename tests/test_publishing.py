"""Publishing: the working copy becomes an edition only through publish(), on its conditions."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from briefing import publishing
from briefing.models import Briefing, Claim, Edition, ReviewStatus
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    EventFactory,
    TakeawayFactory,
    UserFactory,
    briefing_with_content,
    publish_edition,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def publisher():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="publish_briefing"))
    return user


def ready_briefing():
    """A draft briefing with everything publishing needs, all checked."""
    claim = ClaimFactory()
    TakeawayFactory(briefing=claim.briefing).claims.set([claim])
    return claim.briefing


@pytest.fixture
def ready():
    return ready_briefing()


def test_publish_makes_edition_one_with_the_working_copy_and_who_published(ready, publisher):
    edition = publishing.publish(ready, publisher)

    ready.refresh_from_db()
    assert (edition.number, edition.published_by, edition.note) == (1, publisher, "")
    assert ready.status == Briefing.Status.PUBLISHED
    assert ready.live_edition == edition
    assert ready.published_at == edition.published_at
    assert edition.document["title"] == ready.title
    assert edition.document["edition"]["number"] == 1
    assert [c["text"] for c in edition.document["claims"]] == [ready.claims.get().text]


def test_only_publishers_may_publish_or_withdraw(ready):
    editor = UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied):
        publishing.publish(ready, editor)
    with pytest.raises(PermissionDenied):
        publishing.withdraw(ready, editor)
    assert not Edition.objects.exists()


def test_publishing_is_refused_with_every_reason_at_once(publisher):
    claim = ClaimFactory(review_status=ReviewStatus.UNCHECKED)
    event = EventFactory(briefing=claim.briefing, review_status=ReviewStatus.UNCHECKED)
    briefing = claim.briefing
    Briefing.objects.filter(pk=briefing.pk).update(bottom_line="", summary="")
    briefing.refresh_from_db()

    with pytest.raises(publishing.PublishingRefused) as refused:
        publishing.publish(briefing, publisher)

    problems = " ".join(refused.value.problems)
    assert f"event “{event}”" in problems and f"claim “{claim}”" in problems
    assert "summary" in problems and "bottom line" in problems and "takeaway" in problems
    assert not Edition.objects.exists()
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT


def test_a_briefing_without_claims_cannot_be_published(publisher):
    briefing = TakeawayFactory().briefing
    with pytest.raises(publishing.PublishingRefused, match="at least one claim"):
        publishing.publish(briefing, publisher)


def test_from_the_second_edition_a_what_changed_note_is_required(ready, publisher):
    publishing.publish(ready, publisher)
    with pytest.raises(publishing.PublishingRefused, match="What changed"):
        publishing.publish(ready, publisher, note="   ")

    second = publishing.publish(ready, publisher, note="Claim 1 reworded.")

    assert (second.number, second.note) == (2, "Claim 1 reworded.")
    assert list(ready.editions.values_list("number", flat=True)) == [2, 1]


def test_a_check_vouches_for_one_version_only(ready, publisher):
    claim = ready.claims.get()
    assert claim.is_checked
    Claim.objects.filter(pk=claim.pk).update(version=claim.version + 1)
    claim.refresh_from_db()

    assert claim.review_status == ReviewStatus.CHECKED  # still says so, but vouches for v1
    assert not claim.is_checked
    assert list(ready.claims.unchecked()) == [claim]
    with pytest.raises(publishing.PublishingRefused, match="Still to be checked"):
        publishing.publish(ready, publisher)


def test_unchecking_what_rests_on_a_change_records_the_editor_and_a_new_version(ready):
    editor = UserFactory()
    claim = ready.claims.get()

    Claim.objects.filter(pk=claim.pk).uncheck(editor)

    claim.refresh_from_db()
    assert (claim.review_status, claim.checked_version) == (ReviewStatus.UNCHECKED, None)
    assert (claim.version, claim.last_edited_by) == (2, editor)


def test_four_eyes_unless_one_person_newsrooms_are_allowed(ready, settings):
    editor, colleague = UserFactory(), UserFactory()
    claim = ready.claims.get()
    claim.last_edited_by = editor
    settings.ALLOW_SELF_CHECK = False
    assert not claim.may_be_checked_by(editor)
    assert claim.may_be_checked_by(colleague)
    settings.ALLOW_SELF_CHECK = True
    assert claim.may_be_checked_by(editor)


def test_withdrawing_keeps_the_editions_but_takes_them_from_readers(ready, publisher):
    edition = publishing.publish(ready, publisher)

    publishing.withdraw(ready, publisher)

    ready.refresh_from_db()
    assert ready.status == Briefing.Status.WITHDRAWN
    assert Edition.objects.filter(pk=edition.pk).exists()
    assert not Edition.objects.live().exists()
    assert not Edition.objects.of_published().exists()
    assert not Briefing.objects.published().exists()


def test_publishing_again_after_withdrawal_makes_the_next_edition_live(ready, publisher):
    publishing.publish(ready, publisher)
    publishing.withdraw(ready, publisher)

    second = publishing.publish(ready, publisher, note="Back, with corrections.")

    assert list(Edition.objects.live()) == [second]


def test_publishing_does_not_touch_the_working_copys_version(ready, publisher):
    version = ready.version
    publishing.publish(ready, publisher)
    ready.refresh_from_db()
    assert ready.version == version  # an editor's open form stays valid


# What the next edition changes ------------------------------------------------------------


def test_differences_name_what_was_added_removed_and_changed():
    briefing = briefing_with_content()
    old = briefing.live_edition.document
    claim = briefing.claims.get(order=2)
    claim.text = "Reworded."
    claim.save()
    briefing.claims.get(order=3).delete()
    TakeawayFactory(briefing=briefing, order=99, text="A new takeaway.")
    actor = briefing.claims.get(order=1).actors.first()
    actor.name = "Renamed actor"
    actor.save()
    briefing.title = "A new title"
    briefing.save()
    from briefing import documents

    sections = {
        section.title: section
        for section in publishing.differences(old, documents.working_document(briefing))
    }

    assert sections["The briefing"].changes[0].label == "Title"
    claims = {change.label.split(":")[0]: change for change in sections["Claims"].changes}
    assert claims["Claim 2"].kind == "changed"
    assert any("Reworded." in detail for detail in claims["Claim 2"].details)
    assert claims["Claim 3"].kind == "removed"
    takeaways = {change.label: change.kind for change in sections["Takeaways"].changes}
    assert takeaways["Takeaway 99"] == "added"
    assert takeaways["Takeaway 1"] == "changed"  # it rested on the removed claim 3
    renamed = [c for c in sections["Actors"].changes if c.label == "Renamed actor"]
    assert renamed and renamed[0].kind == "changed"


def test_with_no_earlier_edition_everything_is_added():
    claim = ClaimFactory()
    ActorFactory()
    from briefing import documents

    sections = publishing.differences(None, documents.working_document(claim.briefing))

    kinds = {change.kind for section in sections for change in section.changes}
    assert kinds == {"added"}


def test_a_shared_actor_renamed_changes_no_edition_until_the_next(publisher):
    briefing = briefing_with_content()
    actor = briefing.claims.get(order=1).actors.first()
    before = briefing.live_edition.document
    actor.name = "Renamed everywhere"
    actor.save()

    briefing.live_edition.refresh_from_db()
    assert briefing.live_edition.document == before
    edition = publish_edition(briefing, note="Actor renamed.")
    assert "Renamed everywhere" in {a["name"] for a in edition.document["actors"]}


def live_by_the_orm(slug):
    return Edition.objects.live().filter(slug=slug).order_by("-published_at", "-pk").first()


def test_the_edition_live_at_an_address_is_the_one_live_finds(ready, publisher):
    other = publishing.publish(ready_briefing(), publisher)
    old_slug = ready.slug
    assert Edition.objects.live_at(old_slug) is None

    first = publishing.publish(ready, publisher)
    second = publishing.publish(ready, publisher, note="Corrected.")
    assert Edition.objects.live_at(old_slug) == second == live_by_the_orm(old_slug)
    assert Edition.objects.live_at(old_slug).document == second.document
    assert Edition.objects.live_at(other.slug) == other

    ready.slug = "renamed"
    ready.save()
    third = publishing.publish(ready, publisher, note="Renamed.")
    assert Edition.objects.live_at(old_slug) is None is live_by_the_orm(old_slug)
    assert Edition.objects.live_at("renamed") == third

    publishing.withdraw(ready, publisher)
    assert Edition.objects.live_at("renamed") is None is live_by_the_orm("renamed")
    assert Edition.objects.live_at(other.slug) == other
    assert Edition.objects.history_of(ready.pk) == [third, second, first]  # all kept


def test_a_briefings_history_lists_its_editions_newest_first_without_documents(ready, publisher):
    publishing.publish(ready_briefing(), publisher)
    first = publishing.publish(ready, publisher)
    second = publishing.publish(ready, publisher, note="Corrected.")

    history = Edition.objects.history_of(ready.pk)

    assert history == [second, first]
    assert [(e.number, e.slug, e.published_at, e.note) for e in history] == [
        (2, ready.slug, second.published_at, "Corrected."),
        (1, ready.slug, first.published_at, ""),
    ]
    assert all("document" in e.get_deferred_fields() for e in history)
