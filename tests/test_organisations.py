"""Actors and sources kept single: near-duplicates confirmed, one organisation in two roles,
duplicates merged by a Publisher with history kept."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from briefing import documents
from briefing.models import Actor, Claim, Participation, Source
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    EventFactory,
    ParticipationFactory,
    SourceFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def member_of(group):
    user = StaffFactory(username=group.lower())
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    return member_of("Editors")


@pytest.fixture
def publisher(db):
    return member_of("Publishers")


def errors_of(response):
    return " ".join(
        " ".join(errors) for errors in response.context["adminform"].form.errors.values()
    )


def test_a_near_duplicate_actor_is_refused_naming_the_match_until_confirmed(client, editor):
    ActorFactory(name="Vladimir Putin", aliases="Putin")
    client.force_login(editor)
    url = reverse("admin:briefing_actor_add")
    data = {"name": "Putin", "slug": "putin", "kind": "person"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "“Putin” closely matches “Vladimir Putin” (as “Putin”)" in errors_of(response)
    assert not Actor.objects.filter(slug="putin").exists()
    response = client.post(url, data | {"confirm_duplicate": "on"})
    assert response.status_code == 302
    assert Actor.objects.filter(slug="putin").exists()


def test_an_alias_close_to_another_actor_is_caught_too(client, editor):
    ActorFactory(name="Russia")
    client.force_login(editor)
    data = {"name": "Russian Federation", "slug": "rf", "kind": "state", "aliases": "Russia"}
    response = client.post(reverse("admin:briefing_actor_add"), data)
    assert "“Russia” closely matches “Russia”" in errors_of(response)


def test_an_unrelated_actor_and_an_unchanged_name_save_without_asking(client, editor):
    putin = ActorFactory(name="Vladimir Putin", aliases="Putin")
    ActorFactory(name="Putin's spokesman Dmitry Peskov")
    client.force_login(editor)
    data = {"name": "Kim Jong Un", "slug": "kim", "kind": "person"}
    assert client.post(reverse("admin:briefing_actor_add"), data).status_code == 302
    change = reverse("admin:briefing_actor_change", args=[putin.pk])
    data = {"name": putin.name, "slug": putin.slug, "kind": "person", "aliases": "Putin"}
    data |= {"role": "President", "based_on_version": putin.version}
    assert client.post(change, data).status_code == 302


def test_a_source_is_made_an_actor_too_in_one_step(client, editor):
    client.force_login(editor)
    data = {
        "name": "RIA Novosti",
        "slug": "ria-novosti",
        "kind": "state_media",
        "reliability": "F",
        "also_actor_kind": "media_outlet",
    }
    response = client.post(reverse("admin:briefing_source_add"), data)
    assert response.status_code == 302
    source = Source.objects.get(slug="ria-novosti")
    assert (source.actor.name, source.actor.kind) == ("RIA Novosti", "media_outlet")


def test_a_plural_source_made_an_actor_gives_it_its_plural_name(client, editor):
    client.force_login(editor)
    data = {
        "name": "Ukrainian military sources",
        "slug": "ukrainian-military-sources",
        "kind": "military",
        "plural_name": "on",
        "reliability": "F",
        "also_actor_kind": "group",
    }
    assert client.post(reverse("admin:briefing_source_add"), data).status_code == 302
    source = Source.objects.get(slug="ukrainian-military-sources")
    assert source.plural_name and source.actor.plural_name


def test_a_source_whose_actor_exists_is_told_to_link_it(client, editor):
    ActorFactory(name="RIA Novosti", kind="media_outlet")
    client.force_login(editor)
    data = {
        "name": "RIA Novosti",
        "slug": "ria-novosti",
        "kind": "state_media",
        "reliability": "F",
        "also_actor_kind": "media_outlet",
    }
    response = client.post(reverse("admin:briefing_source_add"), data)
    assert "Pick that actor in “Actor”" in errors_of(response)
    assert Actor.objects.count() == 1
    assert not Source.objects.exists()


def test_the_edition_document_says_which_actor_a_source_is(db):
    ria = ActorFactory(name="RIA Novosti", slug="ria-actor", kind="media_outlet")
    source = SourceFactory(name="RIA Novosti", actor=ria)
    claim = ClaimFactory(source=source)
    document = documents.working_document(claim.briefing)
    assert [s["actor"] for s in document["sources"]] == ["ria-actor"]
    assert "ria-actor" in [actor["slug"] for actor in document["actors"]]


def merge(client, survivor, *others, confirm=True):
    data = {
        "action": "merge_selected",
        "_selected_action": [str(a.pk) for a in (survivor, *others)],
    }
    if confirm:
        data |= {"_merge_into": "1", "survivor": str(survivor.pk)}
    return client.post(reverse("admin:briefing_actor_changelist"), data)


def test_a_publisher_merges_two_actors_moving_every_reference(client, publisher):
    putin = ActorFactory(name="Vladimir Putin", aliases="Mr Putin")
    duplicate = ActorFactory(name="Putin", aliases="President Putin", role="President")
    member = ActorFactory(name="Dmitry Peskov", affiliation=duplicate)
    claim = ClaimFactory(claimant=duplicate)
    claim.actors.set([duplicate, putin])
    other_claim = ClaimFactory()
    other_claim.actors.set([duplicate])
    event = EventFactory()
    ParticipationFactory(event=event, actor=duplicate, role="visitor")
    ParticipationFactory(event=event, actor=putin, role="visitor")
    ParticipationFactory(event=event, actor=duplicate, role="negotiator")
    source = SourceFactory(affiliation=duplicate, actor=duplicate)
    client.force_login(publisher)
    page = merge(client, putin, duplicate, confirm=False)
    assert "Choose the actor that remains" in page.content.decode()
    response = merge(client, putin, duplicate)
    assert response.status_code == 302
    assert not Actor.objects.filter(pk=duplicate.pk).exists()
    putin.refresh_from_db()
    assert putin.alias_list == ["Mr Putin", "Putin", "President Putin"]
    assert putin.role == "President"
    claim.refresh_from_db()
    assert claim.claimant == putin
    assert list(claim.actors.all()) == [putin]
    assert list(other_claim.actors.all()) == [putin]
    assert sorted(Participation.objects.filter(event=event).values_list("role", flat=True)) == [
        "negotiator",
        "visitor",
    ]
    assert set(Participation.objects.values_list("actor", flat=True)) == {putin.pk}
    member.refresh_from_db()
    assert member.affiliation == putin
    source.refresh_from_db()
    assert (source.affiliation, source.actor) == (putin, putin)
    # History kept: the survivor's merge and the duplicate as it was.
    assert putin.history.first().history_change_reason == "Merged “Putin”"
    assert putin.history.first().history_user == publisher
    deleted = Actor.history.filter(id=duplicate.pk).first()
    assert (deleted.history_type, deleted.name) == ("-", "Putin")


def test_an_editor_cannot_merge_actors(client, editor):
    putin, duplicate = ActorFactory(name="Vladimir Putin"), ActorFactory(name="Putin")
    client.force_login(editor)
    page = client.get(reverse("admin:briefing_actor_changelist"))
    assert "merge_selected" not in page.content.decode()
    merge(client, putin, duplicate)
    assert Actor.objects.count() == 2
    assert Claim.objects.count() == 0
