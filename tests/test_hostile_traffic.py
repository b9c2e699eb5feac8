"""Hostile traffic: bad Host headers, cache-busting floods, what the server lists publicly."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.templatetags.static import static
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefing import staff_cookie
from briefing.models import Actor
from tests.factories import PASSWORD, StaffFactory

BASE_DIR = Path(__file__).resolve().parent.parent

SECURITY_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=()",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_security_headers(response):
    for header, expected in SECURITY_HEADERS.items():
        assert header in response, header
        assert expected in response[header], header


# A Host the site does not serve -------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/briefings/shoigu-pyongyang-2025/", "/feed/", "/no/such/page/"]
)
def test_a_bad_host_is_answered_400_with_one_log_line(client, demo, caplog, url):
    caplog.set_level(logging.DEBUG)
    response = client.get(url, HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "Bad request" in response.text
    [record] = caplog.records
    assert record.name == "django.security.DisallowedHost"
    assert record.levelname == "WARNING"
    assert "evil.example" in record.getMessage()
    assert record.exc_info is None  # no traceback: one line in the log


def test_a_bad_host_answer_carries_the_security_headers(client, demo):
    response = client.get(demo.get_absolute_url(), HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert_security_headers(response)


def test_the_redirect_to_https_carries_the_security_headers(client, demo, settings):
    settings.SECURE_SSL_REDIRECT = True
    for url in (demo.get_absolute_url(), "/", reverse("admin:login"), static("briefing/site.css")):
        response = client.get(url)
        assert response.status_code == 301, url
        assert response["Location"].startswith("https://"), url
        assert_security_headers(response)


def test_a_bad_host_over_http_is_refused_before_any_redirect(client, demo, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert_security_headers(response)


# What is served from /static/ ------------------------------------------------------------------


def test_the_static_files_manifest_is_not_served(client, db):
    assert client.get(static("briefing/site.css")).status_code == 200
    for name in ("staticfiles.json", "staticfiles.json.gz", "staticfiles.json.br"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 404, name
        assert b'"paths"' not in response.content, name


def test_the_static_files_manifest_is_not_served_in_debug_mode_either(client, db, settings):
    settings.DEBUG = True  # whitenoise then looks files up on each request
    assert client.get(static("briefing/site.css")).status_code == 200
    response = client.get("/static/staticfiles.json")

    assert response.status_code == 404
    assert b'"paths"' not in response.content


def log_in(client, user):
    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302


# Nothing a reader sends forces a render of a cached page -----------------------------------


def queries_of(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, len(queries)


def cached_urls(briefing):
    return [
        reverse("briefing:index"),
        briefing.get_absolute_url(),
        reverse("briefing:export", kwargs={"slug": briefing.slug}),
        reverse("briefing:edition", kwargs={"slug": briefing.slug, "number": 1}),
        reverse("briefing:edition_export", kwargs={"slug": briefing.slug, "number": 1}),
        reverse("briefing:feed"),
    ]


@pytest.mark.parametrize(
    "junk", ["x=1", "utm_source=mail&utm_campaign=z", "actor=", "page=2&sort=desc", "a" * 500]
)
def test_query_parameters_a_page_does_not_read_get_the_cached_page(client, demo, junk):
    for url in cached_urls(demo):
        first = client.get(url)
        response, queries = queries_of(client, f"{url}?{junk}")
        assert queries == 0, url
        assert response.content == first.content, url


def test_the_actor_filter_is_cached_apart_and_keeps_its_junk_out(client, demo):
    actor = Actor.objects.filter(claims__briefing=demo).first()
    url = demo.get_absolute_url()
    full = client.get(url).content
    filtered = client.get(url, {"actor": actor.slug}).content
    assert filtered != full

    for query in ({"actor": actor.slug, "x": "1"}, {"x": "2", "actor": actor.slug}):
        response, queries = queries_of(client, url, data=query)
        assert queries == 0
        assert response.content == filtered
    response, queries = queries_of(client, f"{url}?actor=other&actor={actor.slug}")
    assert queries == 0  # the last value is the one the page reads
    assert response.content == filtered


@pytest.mark.parametrize(
    "cookie", ["sessionid=made-up", "messages=made-up", "briefing_staff=made-up; sessionid=x"]
)
def test_a_made_up_session_cookie_gets_the_cached_page(client, demo, cookie):
    url = demo.get_absolute_url()
    first = client.get(url)
    for name, value in (part.split("=") for part in cookie.split("; ")):
        client.cookies[name] = value

    response, queries = queries_of(client, url)
    assert queries == 0
    assert response.content == first.content


def test_head_requests_and_authorization_headers_get_the_cached_page(client, demo):
    url = demo.get_absolute_url()
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        head = client.head(url)
        authorized = client.get(url, HTTP_AUTHORIZATION="Basic bWFkZTp1cA==")
    assert len(queries) == 0
    assert head.status_code == 200
    assert head["ETag"] == first["ETag"]
    assert authorized.content == first.content


def test_a_logged_in_editor_gets_a_fresh_page_and_none_after_logging_out(client, demo):
    url = demo.get_absolute_url()
    client.get(url)
    log_in(client, StaffFactory())
    assert client.cookies[staff_cookie.COOKIE_NAME].value

    _, queries = queries_of(client, url)
    assert queries > 0
    client.post(reverse("admin:logout"))
    assert client.cookies[staff_cookie.COOKIE_NAME].value == ""
    _, queries = queries_of(client, url)
    assert queries == 0


def test_the_staff_cookie_of_one_session_does_not_open_another(client, demo):
    url = demo.get_absolute_url()
    client.get(url)
    log_in(client, StaffFactory())
    stolen = client.cookies[staff_cookie.COOKIE_NAME].value

    other = Client()
    other.cookies["sessionid"] = "a-session-of-my-own"
    other.cookies[staff_cookie.COOKIE_NAME] = stolen
    _, queries = queries_of(other, url)
    assert queries == 0


# Uncached renders are rate-limited per client ------------------------------------------------


def test_a_client_causing_too_many_renders_gets_429_and_others_do_not(client, demo, settings):
    settings.PAGE_RENDER_RATE = "5/m"
    url = demo.get_absolute_url()
    # Unknown actors: each a 404 that has to be rendered, never cached.
    statuses = [client.get(url, {"actor": f"nobody-{n}"}).status_code for n in range(7)]
    assert statuses == [404] * 5 + [429] * 2

    refused = client.get(reverse("briefing:detail", kwargs={"slug": "made-up"}))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many requests" in refused.text
    assert_security_headers(refused)
    assert "no-store" in refused["Cache-Control"]

    other_reader = Client(REMOTE_ADDR="192.0.2.7")
    assert other_reader.get(url, {"actor": "nobody-9"}).status_code == 404
    assert other_reader.get(url).status_code == 200


def test_the_rate_limit_counts_renders_not_cached_pages(client, demo, settings):
    settings.PAGE_RENDER_RATE = "2/m"
    url = demo.get_absolute_url()
    statuses = [client.get(url, {"junk": n}).status_code for n in range(20)]

    assert statuses == [200] * 20  # one render, then the cached page


def test_a_logged_in_editor_is_not_rate_limited(client, demo, settings):
    settings.PAGE_RENDER_RATE = "2/m"
    log_in(client, StaffFactory())
    statuses = [client.get(demo.get_absolute_url()).status_code for _ in range(5)]

    assert statuses == [200] * 5


def test_ipv6_clients_are_counted_per_64(client, demo, settings):
    settings.PAGE_RENDER_RATE = "2/m"
    url = demo.get_absolute_url()
    statuses = [
        Client(REMOTE_ADDR=f"2001:db8:1:2::{n}").get(url, {"actor": "nobody"}).status_code
        for n in range(1, 4)
    ]
    assert statuses == [404, 404, 429]
    assert Client(REMOTE_ADDR="2001:db8:1:3::1").get(url, {"actor": "x"}).status_code == 404


@pytest.mark.parametrize("rate", ["", "sixty", "0/m", "60/0m", "60/minute"])
def test_a_malformed_render_rate_stops_start_up(rate):
    environment = {**os.environ, "PAGE_RENDER_RATE": rate}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env={**environment, "DJANGO_SETTINGS_MODULE": "briefing.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "PAGE_RENDER_RATE" in result.stderr
