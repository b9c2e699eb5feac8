"""The early page cache: anonymous readers are answered from the cache; only publishing a new
edition or withdrawing a briefing clears it, since readers see editions only."""

import gzip
import socket
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import briefing
from briefing import publishing
from briefing.models import Actor, Claim, Event, Takeaway
from briefing.views import code_token_sources
from tests.factories import (
    PASSWORD,
    ClaimFactory,
    ClaimRelationFactory,
    StaffFactory,
    UserFactory,
    publish_edition,
)


def queries_of(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, len(queries)


def make_publisher():
    """A user with the permission to publish and withdraw."""
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="publish_briefing"))
    return type(user).objects.get(pk=user.pk)  # a fresh instance: permissions are cached


@pytest.mark.parametrize(
    "url_name",
    [
        "briefing:detail",
        "briefing:claim",
        "briefing:export",
        "briefing:edition",
        "briefing:edition_export",
    ],
)
def test_anonymous_reader_gets_the_page_from_the_cache_without_queries(client, demo, url_name):
    kwargs = {"slug": demo.slug}
    if url_name.startswith("briefing:edition"):
        kwargs["number"] = 1
    if url_name == "briefing:claim":
        kwargs["order"] = 8
    url = reverse(url_name, kwargs=kwargs)
    first, first_queries = queries_of(client, url)
    again, again_queries = queries_of(client, url)

    assert first.status_code == again.status_code == 200
    assert first_queries > 0
    assert again_queries == 0
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]


def test_index_and_feed_are_cached_for_anonymous_readers(client, demo):
    for url in (reverse("briefing:index"), reverse("briefing:feed")):
        first, _ = queries_of(client, url)
        again, again_queries = queries_of(client, url)
        assert again_queries == 0
        assert again.content == first.content


# Edits to the working copy leave the cache alone; a new edition clears it -----------------


def edit_claim_text(briefing):
    claim = Claim.objects.filter(briefing=briefing).first()
    claim.text = "An edited claim, hidden until the next edition."
    claim.save()
    return "An edited claim, hidden until the next edition."


def rename_shared_actor(briefing):
    actor = Actor.objects.filter(claims__briefing=briefing).first()
    actor.name = "A renamed actor, hidden until the next edition"
    actor.save()
    return "A renamed actor, hidden until the next edition"


def change_event_date(briefing):
    event = Event.objects.filter(briefing=briefing).first()
    event.date_edtf = "1999-01"
    event.save()
    return "January 1999"


def relate_two_claims(briefing):
    claim, other = Claim.objects.filter(briefing=briefing)[:2]
    ClaimRelationFactory(
        claim=claim, other_claim=other, note="A new relation, hidden until the next edition."
    )
    return "A new relation, hidden until the next edition."


def rewrite_takeaway(briefing):
    takeaway = Takeaway.objects.filter(briefing=briefing).first()
    takeaway.text = "A rewritten takeaway, hidden until the next edition."
    takeaway.save()
    takeaway.claims.clear()  # a many-to-many change too
    return "A rewritten takeaway, hidden until the next edition."


def retitle_briefing(briefing):
    briefing.title = "A new title, hidden until the next edition"
    briefing.save()
    return "A new title, hidden until the next edition"


EDITS = [
    edit_claim_text,
    rename_shared_actor,
    change_event_date,
    relate_two_claims,
    rewrite_takeaway,
    retitle_briefing,
]


@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("url_name", ["briefing:detail", "briefing:export"])
def test_an_edit_to_the_working_copy_leaves_the_cached_page_served(client, demo, edit, url_name):
    url = reverse(url_name, kwargs={"slug": demo.slug})
    first = client.get(url)
    edited = edit(demo)

    again, queries = queries_of(client, url)
    assert queries == 0
    assert again.content == first.content
    assert edited not in again.content.decode()


@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("url_name", ["briefing:detail", "briefing:export"])
def test_a_new_edition_clears_the_cache(client, demo, edit, url_name):
    url = reverse(url_name, kwargs={"slug": demo.slug})
    client.get(url)
    edited = edit(demo)
    publish_edition(demo, "Published the edit.")

    response, queries = queries_of(client, url)
    assert queries > 0
    assert edited in response.content.decode()


def test_a_deleted_takeaway_stays_on_the_page_until_the_next_edition(client, demo):
    url = demo.get_absolute_url()
    takeaway = Takeaway.objects.filter(briefing=demo).first()
    assert takeaway.text in client.get(url).text
    takeaway.delete()
    assert takeaway.text in client.get(url).text  # the cached page
    cache.clear()
    assert takeaway.text in client.get(url).text  # rendered afresh: still the edition
    publish_edition(demo, "Removed a takeaway.")

    assert takeaway.text not in client.get(url).text


def test_a_new_edition_clears_the_index_the_feed_and_earlier_editions(client, demo):
    earlier = reverse("briefing:edition", kwargs={"slug": demo.slug, "number": 1})
    urls = [reverse("briefing:index"), reverse("briefing:feed"), earlier]
    firsts = [client.get(url).content for url in urls]
    retitle_briefing(demo)
    assert [client.get(url).content for url in urls] == firsts
    publish_edition(demo, "Retitled.")

    index, feed, edition_1 = (client.get(url).content.decode() for url in urls)
    assert "A new title, hidden until the next edition" in index
    assert "A new title, hidden until the next edition" in feed
    assert "An earlier edition." in edition_1  # its notice now links to edition 2


def test_publishing_clears_the_cache_again_at_commit(
    client, demo, django_capture_on_commit_callbacks
):
    url = demo.get_absolute_url()
    client.get(url)
    edited = edit_claim_text(demo)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish(demo, make_publisher(), note="Corrected a claim.")
        # Until the commit, readers get the cached page (in production, the edition before)...
        _, queries = queries_of(client, url)
        assert queries == 0
    # ...and at the commit the generation is bumped, so the next request renders afresh.
    response, queries = queries_of(client, url)
    assert queries > 0
    assert edited in response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["briefing:detail", "briefing:export", "briefing:edition", "briefing:index"]
)
def test_withdrawing_removes_the_page_from_the_cache_at_once(
    client, demo, url_name, django_capture_on_commit_callbacks
):
    if url_name == "briefing:index":
        url = reverse(url_name)
    elif url_name == "briefing:edition":
        url = reverse(url_name, kwargs={"slug": demo.slug, "number": 1})
    else:
        url = reverse(url_name, kwargs={"slug": demo.slug})
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        publishing.withdraw(demo, make_publisher())

    response = client.get(url)
    if url_name == "briefing:index":
        assert demo.title not in response.content.decode()
    else:
        assert response.status_code == 410


def log_in(client, user):
    """Through the login form, as an editor does: the login also sets the staff cookie."""
    response = client.post(
        reverse("admin:login"),
        {"username": user.username, "password": PASSWORD},
    )
    assert response.status_code == 302


def test_staff_always_get_a_fresh_page(client, demo):
    log_in(client, StaffFactory())
    url = demo.get_absolute_url()
    client.get(url)
    _, queries = queries_of(client, url)

    assert queries > 0


@pytest.mark.parametrize("published", [False, True])
def test_a_staff_preview_is_never_cached_nor_served_to_anonymous_readers(client, db, published):
    briefing = ClaimFactory(text="A claim readers must not see yet.").briefing
    if published:
        publish_edition(briefing)
    claim = briefing.claims.get()
    claim.text = "Work in progress."
    claim.save()
    preview = reverse("briefing:preview", kwargs={"slug": briefing.slug})
    staff_client = type(client)()
    staff_client.force_login(StaffFactory())
    first = staff_client.get(preview)
    assert first.status_code == 200
    assert "Work in progress." in first.content.decode()
    assert {"private", "no-store"} <= {p.strip() for p in first["Cache-Control"].split(",")}
    _, queries = queries_of(staff_client, preview)
    assert queries > 0

    refused = client.get(preview)
    assert refused.status_code == 302
    assert "login" in refused["Location"]
    page = client.get(briefing.get_absolute_url())
    if published:
        assert "Work in progress." not in page.content.decode()
    else:
        assert page.status_code == 404


def test_the_cached_page_answers_a_conditional_get_with_304(client, demo):
    url = demo.get_absolute_url()
    etag = client.get(url)["ETag"]

    response, queries = queries_of(client, url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert queries == 0


@pytest.mark.parametrize("cached", [False, True])
def test_a_browser_that_accepts_gzip_gets_the_page_compressed_and_revalidates_it(
    client, demo, cached
):
    url = demo.get_absolute_url()
    plain = client.get(url)
    if not cached:
        cache.clear()
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(response.content) == plain.content
    assert len(response.content) < len(plain.content) / 4
    # The compressed page's (weak) ETag still answers a conditional request.
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_cached_page_keeps_every_security_header(client, demo):
    url = demo.get_absolute_url()
    first = client.get(url)
    again = client.get(url)
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Permissions-Policy",
        "ETag",
        "Last-Modified",
        "Cache-Control",
    ):
        assert again[header] == first[header], header
    assert dict(again.items()) == dict(first.items())


def test_a_304_from_the_cache_carries_the_security_headers_of_the_page(client, demo):
    url = demo.get_absolute_url()
    page = client.get(url)

    response, queries = queries_of(client, url, HTTP_IF_NONE_MATCH=page["ETag"])
    assert (response.status_code, queries) == (304, 0)
    for header in ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy", "ETag"):
        assert response[header] == page[header], header
    assert "Content-Type" not in response


def test_a_page_stored_under_other_header_settings_is_rendered_afresh(client, demo, settings):
    url = demo.get_absolute_url()
    assert queries_of(client, url)[1] > 0
    assert queries_of(Client(), url)[1] == 0

    # A deploy that tightens the policy: pages stored with the old header are not replayed.
    settings.PERMISSIONS_POLICY = "camera=(), microphone=()"
    response, queries = queries_of(Client(), url)
    assert queries > 0
    assert response["Permissions-Policy"] == "camera=(), microphone=()"
    assert queries_of(Client(), url)[1] == 0


def test_a_host_the_site_does_not_serve_gets_400_although_the_page_is_cached(client, demo):
    url = demo.get_absolute_url()
    assert client.get(url).status_code == 200

    response = client.get(url, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "shoigu" not in response.content.decode().lower()
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response


def test_over_http_a_cached_page_is_redirected_to_https_not_served(client, demo, settings):
    url = demo.get_absolute_url()
    assert client.get(url, secure=True).status_code == 200
    settings.SECURE_SSL_REDIRECT = True

    response, queries = queries_of(Client(), url)
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{url}"
    assert queries == 0
    assert Client().get(url, secure=True).status_code == 200


def test_not_found_pages_are_not_cached(client, db):
    url = reverse("briefing:detail", kwargs={"slug": "no-such-briefing"})
    client.get(url)
    response, queries = queries_of(client, url)

    assert response.status_code == 404
    assert queries > 0


def test_query_strings_are_cached_apart(client, demo):
    url = demo.get_absolute_url()
    actor = Actor.objects.filter(claims__briefing=demo).first()
    full = client.get(url).content
    filtered = client.get(url, {"actor": actor.slug}).content

    assert filtered != full
    assert client.get(url).content == full


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_pages_and_edits_still_work_when_the_cache_server_is_down(client, demo, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    url = demo.get_absolute_url()
    assert client.get(url).status_code == 200
    claim = Claim.objects.filter(briefing=demo).first()
    claim.text = "Saved although the cache is down."
    claim.save()
    publish_edition(demo, "Published although the cache is down.")

    assert "Saved although the cache is down." in client.get(url).text


def test_with_a_shared_cache_each_process_keeps_copies_that_a_new_edition_clears(
    client, demo, settings, tmp_path
):
    """As under `make serve` and in production: a cache shared by the app processes."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    url = demo.get_absolute_url()
    first, _ = queries_of(client, url)
    again, again_queries = queries_of(client, url)
    assert again_queries == 0
    assert again.content == first.content

    claim = Claim.objects.filter(briefing=demo).first()
    claim.text = "Edited while the page sat in the shared cache."
    claim.save()
    _, queries = queries_of(client, url)
    assert queries == 0  # the edit is not published: the copy stays
    assert "Edited while the page sat in the shared cache." not in Client().get(url).text
    publish_edition(demo, "Published the edit.")
    assert "Edited while the page sat in the shared cache." in client.get(url).text
    # Another app process, with its own copies, sees the edit too.
    assert "Edited while the page sat in the shared cache." in Client().get(url).text


def test_with_a_cache_that_keeps_nothing_every_page_is_rendered_afresh(client, demo, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    url = demo.get_absolute_url()
    client.get(url)
    _, queries = queries_of(client, url)
    assert queries > 0

    claim = Claim.objects.filter(briefing=demo).first()
    claim.text = "Visible without any cache, once published."
    claim.save()
    assert "Visible without any cache, once published." not in client.get(url).text
    publish_edition(demo, "Published the edit.")
    assert "Visible without any cache, once published." in client.get(url).text


def test_every_module_a_stored_page_runs_is_in_the_code_its_version_is_made_from(
    client, demo, settings
):
    """A deploy that changes any code run to make a stored page renews it and its ETag."""
    app = Path(briefing.__file__).parent
    run = set()

    def note_call(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(str(app)):
            run.add(Path(frame.f_code.co_filename))

    url_kwargs = {
        "briefing:index": {},
        "briefing:feed": {},
        "briefing:claim": {"slug": demo.slug, "order": 8},
        "briefing:edition": {"slug": demo.slug, "number": 1},
        "briefing:edition_export": {"slug": demo.slug, "number": 1},
    }
    for url_name, parameters in settings.PAGE_CACHE_URL_NAMES.items():
        url = reverse(url_name, kwargs=url_kwargs.get(url_name, {"slug": demo.slug}))
        for query in ["", *(f"?{name}=sergei-shoigu" for name in parameters)]:
            cache.clear()
            sys.setprofile(note_call)
            try:
                response = client.get(url + query)
            finally:
                sys.setprofile(None)
            assert response.status_code == 200, url + query

    assert {"views.py", "reading.py", "templating.py", "feeds.py"} <= {path.name for path in run}
    assert not {path.name for path in run - set(code_token_sources())}
