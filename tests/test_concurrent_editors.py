"""Editors working at the same time: no save overwrites another's unseen, and none is refused
because the other was saving at that moment."""

import threading

import pytest
from django.db import connection
from django.test import Client

from tests.factories import ActorFactory, SourceFactory, UserFactory
from tests.test_admin import assert_refused, change_url, form_data


@pytest.fixture
def chief(db):
    return UserFactory(username="chief", is_staff=True, is_superuser=True)


# Actors and sources count their versions like briefings, events and claims ------------------


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [ActorFactory, SourceFactory])
def test_second_of_two_saves_of_an_actor_or_source_from_one_version_is_refused(
    client, chief, factory
):
    client.force_login(chief)
    obj = factory(name="Original")
    first = form_data(client.get(change_url(obj)))
    second = dict(first)
    assert client.post(change_url(obj), first | {"name": "Saved first"}).status_code == 302

    response = client.post(change_url(obj), second | {"name": "Saved second"})

    assert_refused(response, message="Someone else saved this")
    assert "Saved second" in response.content.decode()  # the input is still in the form
    obj.refresh_from_db()
    assert (obj.name, obj.version) == ("Saved first", 2)


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [ActorFactory, SourceFactory])
@pytest.mark.parametrize("version", ["", "abc", "7"])
def test_a_save_of_an_actor_or_source_without_its_version_is_refused(
    client, chief, factory, version
):
    client.force_login(chief)
    obj = factory(name="Original")
    data = form_data(client.get(change_url(obj))) | {"name": "Changed", "based_on_version": version}

    assert_refused(client.post(change_url(obj), data))
    obj.refresh_from_db()
    assert (obj.name, obj.version) == ("Original", 1)


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [ActorFactory, SourceFactory])
def test_saves_of_an_actor_or_source_advance_its_version(client, chief, factory):
    client.force_login(chief)
    obj = factory()
    for name in ("Once", "Twice"):
        data = form_data(client.get(change_url(obj))) | {"name": name}
        assert client.post(change_url(obj), data).status_code == 302
    obj.refresh_from_db()
    assert (obj.name, obj.version) == ("Twice", 3)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks, and its in-memory test database is "
    "not shared between the threads' connections",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("factory", [ActorFactory, SourceFactory])
def test_of_two_simultaneous_saves_of_an_actor_or_source_exactly_one_lands(factory):
    obj = factory(name="Original")
    user = UserFactory(username="chief", is_staff=True, is_superuser=True)
    clients = [Client(), Client()]
    posts = []
    for n, each in enumerate(clients):
        each.force_login(user)
        posts.append(form_data(each.get(change_url(obj))) | {"name": f"Saved by {n}"})
    start = threading.Barrier(2)
    statuses = {}

    def save(n):
        start.wait()
        try:
            statuses[n] = clients[n].post(change_url(obj), posts[n]).status_code
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [200, 302]  # one saved, one shown the form again
    obj.refresh_from_db()
    winner = next(n for n, status in statuses.items() if status == 302)
    assert (obj.name, obj.version) == (f"Saved by {winner}", 2)
