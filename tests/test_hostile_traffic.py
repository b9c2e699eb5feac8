"""Hostile traffic: bad Host headers, cache-busting floods, what the server lists publicly."""

import logging

import pytest
from django.templatetags.static import static
from django.urls import reverse

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
