"""A cache that reads but refuses writes (a full disk, Redis out of memory): publishing and
withdrawing must still reach readers at once, and the publisher is told."""

import logging
import os

import pytest
from django.contrib.messages import get_messages
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefing import middleware, publishing
from briefing.models import Claim
from tests.factories import StaffFactory
from tests.test_cache import closed_port, make_publisher


class RefusingWritesCache(LocMemCache):
    """Local memory whose writes fail while `refusing` is set; reads keep working."""

    refusing = False

    def _refuse(self):
        if RefusingWritesCache.refusing:
            raise OSError(28, "No space left on device")

    def add(self, *args, **kwargs):
        self._refuse()
        return super().add(*args, **kwargs)

    def set(self, *args, **kwargs):
        self._refuse()
        return super().set(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse()
        return super().delete(*args, **kwargs)

    def incr(self, *args, **kwargs):
        self._refuse()
        return super().incr(*args, **kwargs)

    def touch(self, *args, **kwargs):
        self._refuse()
        return super().touch(*args, **kwargs)


@pytest.fixture
def refusing_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "tests.test_cache_faults.RefusingWritesCache",
            "LOCATION": "refusing-writes",
        }
    }
    RefusingWritesCache.refusing = False
    yield RefusingWritesCache
    RefusingWritesCache.refusing = False
    from django.core.cache import cache

    cache.clear()


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


def another_process():
    """A client as another app process sees the site: its own middleware, no memory of ours."""
    middleware._failed_in_this_process = False
    return Client()


def test_a_withdrawal_reaches_readers_although_the_cache_refuses_writes(
    client, demo, refusing_cache, django_capture_on_commit_callbacks, caplog
):
    url = demo.get_absolute_url()
    assert client.get(url).status_code == 200
    _, queries = queries_of(client, url)
    assert queries == 0  # cached

    refusing_cache.refusing = True
    assert client.get(url).status_code == 200  # reads still work: the cached page
    with django_capture_on_commit_callbacks(execute=True):
        publishing.withdraw(demo, make_publisher())

    assert client.get(url).status_code == 410
    assert another_process().get(url).status_code == 410
    assert client.get(reverse("briefing:index")).status_code == 200
    assert demo.title not in client.get(reverse("briefing:index")).text
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "Page cache could not be cleared: rendering every page until it can be"
    ]


def test_cached_pages_come_back_once_the_cache_takes_writes_again(
    client, demo, refusing_cache, django_capture_on_commit_callbacks, settings
):
    url = demo.get_absolute_url()
    client.get(url)
    claim = Claim.objects.filter(briefing=demo).first()
    claim.text = "Corrected while the cache was full."
    claim.save()
    refusing_cache.refusing = True
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish(demo, make_publisher(), note="Corrected a claim.")
    assert os.path.exists(settings.PAGE_CACHE_FAULT_FILE)

    for reader in (client, another_process()):
        response, queries = queries_of(reader, url)
        assert "Corrected while the cache was full." in response.text
        assert queries > 0  # rendered, not the cached page from before

    refusing_cache.refusing = False
    response, queries = queries_of(another_process(), url)
    assert "Corrected while the cache was full." in response.text
    assert not os.path.exists(settings.PAGE_CACHE_FAULT_FILE)
    again, queries = queries_of(client, url)
    assert queries == 0  # cached again
    assert again.content == response.content


# As in production, the publish screen's transaction commits before it answers: the clearing
# (on commit) has happened, or failed, by the time the message is chosen.
committing = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@committing
def test_the_publisher_is_told_when_the_cache_could_not_be_cleared(client, demo, refusing_cache):
    publisher = StaffFactory()
    publisher.user_permissions.add(*make_publisher().user_permissions.all())
    client.force_login(publisher)
    refusing_cache.refusing = True
    publish_url = reverse("admin:briefing_briefing_publish", args=[demo.pk])

    response = client.post(publish_url, {"_withdraw": "1"})
    assert response.status_code == 302
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("The page cache could not be cleared" in text for text in texts), texts


@committing
def test_the_publisher_is_not_warned_when_the_cache_was_cleared(client, demo, refusing_cache):
    publisher = StaffFactory()
    publisher.user_permissions.add(*make_publisher().user_permissions.all())
    client.force_login(publisher)
    publish_url = reverse("admin:briefing_briefing_publish", args=[demo.pk])

    response = client.post(publish_url, {"_withdraw": "1"})
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert texts and not any("page cache" in text for text in texts), texts


def test_a_cache_outage_is_logged_once_not_on_every_request(
    client, demo, settings, monkeypatch, caplog
):
    monkeypatch.setattr(middleware, "_last_cache_warning", -middleware.CACHE_WARNING_INTERVAL)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    statuses = [client.get(demo.get_absolute_url()).status_code for _ in range(3)]

    assert statuses == [200] * 3
    warnings = [r for r in caplog.records if r.name == "briefing.middleware"]
    assert len(warnings) == 1
    assert "Page cache unavailable" in warnings[0].getMessage()
