"""The early page cache: anonymous readers are answered from the cache, editors' saves clear it."""

import socket

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefing.models import Actor, Claim, Event, Takeaway
from tests.factories import (
    BriefingFactory,
    ClaimFactory,
    ClaimRelationFactory,
    EventFactory,
    StaffFactory,
)


def queries_of(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, len(queries)


@pytest.mark.parametrize("url_name", ["briefing:detail", "briefing:export"])
def test_anonymous_reader_gets_the_page_from_the_cache_without_queries(client, demo, url_name):
    url = reverse(url_name, kwargs={"slug": demo.slug})
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


def test_an_edited_claim_is_visible_on_the_next_anonymous_request(client, demo):
    url = demo.get_absolute_url()
    client.get(url)
    claim = Claim.objects.filter(briefing=demo).first()
    claim.text = "An edited claim that readers must see at once."
    claim.save()

    assert "An edited claim that readers must see at once." in client.get(url).text


def test_an_edit_to_a_shared_actor_clears_the_cached_export(client, demo):
    url = reverse("briefing:export", kwargs={"slug": demo.slug})
    client.get(url)
    actor = Actor.objects.filter(claims__briefing=demo).first()
    actor.name = "Renamed Actor For The Export"
    actor.save()

    assert "Renamed Actor For The Export" in client.get(url).text


def test_a_changed_event_date_is_visible_on_the_next_anonymous_request(client, db):
    event = EventFactory(date_edtf="2025-03-21")
    url = event.briefing.get_absolute_url()
    assert "21 March 2025" in client.get(url).text
    event = Event.objects.get(pk=event.pk)
    event.date_edtf = "2024-10/2025-03"
    event.save()

    page = client.get(url).text
    assert "from <time" in page and "October 2024" in page


def test_a_new_relation_between_claims_clears_the_cached_export(client, db):
    claim = ClaimFactory()
    other = ClaimFactory(briefing=claim.briefing)
    url = reverse("briefing:export", kwargs={"slug": claim.briefing.slug})
    assert client.get(url).json()["claims"][0]["relations"] == []
    ClaimRelationFactory(claim=claim, other_claim=other)

    assert client.get(url).json()["claims"][0]["relations"][0]["claim"] == other.order


def test_a_deleted_takeaway_disappears_from_the_next_anonymous_page(client, demo):
    url = demo.get_absolute_url()
    takeaway = Takeaway.objects.filter(briefing=demo).first()
    assert takeaway.text in client.get(url).text
    takeaway.delete()

    assert takeaway.text not in client.get(url).text


def test_a_many_to_many_change_clears_the_cache(client, demo):
    url = reverse("briefing:export", kwargs={"slug": demo.slug})
    claim = Claim.objects.filter(briefing=demo, actors__isnull=False).first()
    actor = claim.actors.first()
    before = client.get(url).json()
    claim.actors.remove(actor)
    after = client.get(url).json()

    assert before != after


def test_unpublishing_removes_the_page_from_the_cache_at_once(client, demo):
    url = demo.get_absolute_url()
    assert client.get(url).status_code == 200
    demo.status = demo.Status.DRAFT
    demo.published_at = None
    demo.save()

    assert client.get(url).status_code == 404


def test_an_edit_committed_later_clears_the_cache_again_at_commit(
    client, demo, django_capture_on_commit_callbacks
):
    url = demo.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        claim = Claim.objects.filter(briefing=demo).first()
        claim.text = "Committed edit."
        claim.save()
        # A reader's request between the save and the commit caches the page...
        client.get(url)
    # ...but the commit bumps the generation once more, so the next request renders afresh.
    _, queries = queries_of(client, url)
    assert queries > 0


def test_staff_always_get_a_fresh_page(client, demo):
    client.force_login(StaffFactory())
    url = demo.get_absolute_url()
    client.get(url)
    _, queries = queries_of(client, url)

    assert queries > 0


def test_a_staff_preview_of_a_draft_is_never_served_to_anonymous_readers(client, db):
    draft = BriefingFactory(draft=True, title="Secret draft")
    ClaimFactory(briefing=draft)
    staff_client = type(client)()
    staff_client.force_login(StaffFactory())
    assert staff_client.get(draft.get_absolute_url()).status_code == 200

    assert client.get(draft.get_absolute_url()).status_code == 404


def test_the_cached_page_answers_a_conditional_get_with_304(client, demo):
    url = demo.get_absolute_url()
    etag = client.get(url)["ETag"]

    response, queries = queries_of(client, url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert queries == 0


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
        "Vary",
    ):
        assert again[header] == first[header], header


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

    assert "Saved although the cache is down." in client.get(url).text


def test_with_a_shared_cache_each_process_keeps_copies_that_an_edit_still_clears(
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
    claim.text = "Visible without any cache."
    claim.save()
    assert "Visible without any cache." in client.get(url).text
