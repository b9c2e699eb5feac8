"""Editors working at the same time: no save overwrites another's unseen, and none is refused
because the other was saving at that moment."""

import sqlite3
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connection, connections
from django.test import Client
from django.test.testcases import LiveServerThread

from tests.factories import ActorFactory, ClaimFactory, SourceFactory, UserFactory
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
@pytest.mark.parametrize(
    "factory, field", [(ClaimFactory, "text"), (ActorFactory, "name"), (SourceFactory, "name")]
)
def test_of_two_simultaneous_saves_of_one_version_exactly_one_lands(factory, field):
    obj = factory(**{field: "Original"})
    user = UserFactory(username="chief", is_staff=True, is_superuser=True)
    clients = [Client(), Client()]
    posts = []
    for n, each in enumerate(clients):
        each.force_login(user)
        posts.append(form_data(each.get(change_url(obj))) | {field: f"Saved by {n}"})
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
    assert (getattr(obj, field), obj.version) == (f"Saved by {winner}", 2)


# SQLite (make demo, make serve): simultaneous saves wait their turn --------------------------

EDITORS = 6


def post_without_following(url, data, cookies):
    """POST as a browser would, answering the status itself (a redirect is not followed)."""

    class KeepRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(  # noqa: S310 - the test's own http:// server
        url,
        data=urllib.parse.urlencode(data, doseq=True).encode(),
        headers={"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())},
    )
    try:
        with urllib.request.build_opener(KeepRedirects).open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as answer:
        return answer.code


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's database-wide write lock; PostgreSQL locks rows"
)
@pytest.mark.django_db(transaction=True)
def test_editors_saving_different_claims_at_the_same_moment_on_sqlite_all_land(
    tmp_path, monkeypatch
):
    user = UserFactory(username="chief", is_staff=True, is_superuser=True)
    claims = [ClaimFactory(text=f"Original {n}.") for n in range(EDITORS)]
    csrf_secret = "a" * 32  # a token Django accepts: the cookie's secret, unmasked
    editors = []
    for n, claim in enumerate(claims):
        client = Client()
        client.force_login(user)  # a session of its own for each editor
        data = form_data(client.get(change_url(claim)))
        data |= {"text": f"Saved by editor {n}.", "csrfmiddlewaretoken": csrf_secret}
        cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf_secret}
        editors.append((change_url(claim), data, cookies))

    # The in-memory test database is one connection shared by every thread; a file, as `make
    # demo` and `make serve` use, gives each request its own connection and SQLite's locking.
    path = tmp_path / "db.sqlite3"
    with closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
    monkeypatch.setitem(connections.settings["default"], "NAME", str(path))
    server = LiveServerThread("127.0.0.1", StaticFilesHandler)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    try:
        assert server.error is None
        start = threading.Barrier(EDITORS)
        statuses = [None] * EDITORS

        def save(n):
            url, data, cookies = editors[n]
            start.wait()
            statuses[n] = post_without_following(
                f"http://127.0.0.1:{server.port}{url}", data, cookies
            )

        threads = [threading.Thread(target=save, args=(n,)) for n in range(EDITORS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()

    assert statuses == [302] * EDITORS  # every save landed, none answered “database is locked”
    with closing(sqlite3.connect(path)) as saved:
        rows = saved.execute("SELECT text, version FROM briefing_claim ORDER BY id").fetchall()
    assert sorted(rows) == sorted((f"Saved by editor {n}.", 2) for n in range(EDITORS))
