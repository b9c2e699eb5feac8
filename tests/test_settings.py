"""The production configuration, read from the environment in a fresh process each time."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

# Variables a fresh process must not inherit from the machine or from pytest-env.
CONFIG_VARIABLES = {
    line.split("=", 1)[0]
    for name in (".env.example", ".env.production.example")
    for line in (BASE_DIR / name).read_text().splitlines()
    if "=" in line and not line.startswith("#")
} | {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}


def production_environment():
    """.env.production.example as documented, with a freshly generated SECRET_KEY."""
    environment = {}
    for line in (BASE_DIR / ".env.production.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, value = line.split("=", 1)
            environment[name] = value
    environment["SECRET_KEY"] = secrets.token_urlsafe(50)
    return environment


def run_manage(*args, **variables):
    environment = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    environment.update(variables)
    return subprocess.run(  # noqa: S603 (this project's manage.py, arguments from the tests)
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_in(names, **variables):
    """The named settings as a fresh process started with these variables sees them."""
    code = (
        "import json; from django.conf import settings; from django.urls import reverse; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}} | "
        "{'admin_url': reverse('admin:index')}, default=str))"
    )
    result = run_manage("shell", "-c", code, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_passes_with_the_documented_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_environment())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_when_the_site_is_served_over_plain_http():
    environment = production_environment() | {"HTTPS": "false"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **environment)

    assert result.returncode != 0
    assert "security.W012" in result.stderr  # session cookie not Secure


def test_production_environment_turns_on_https_protections():
    values = settings_in(
        [
            "DEBUG",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "CSRF_COOKIE_HTTPONLY",
            "SESSION_COOKIE_SAMESITE",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_PRELOAD",
            "SECURE_PROXY_SSL_HEADER",
            "X_FRAME_OPTIONS",
        ],
        **production_environment(),
    )

    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "X_FRAME_OPTIONS": "DENY",
        "admin_url": "/desk/",
    }


def test_https_is_the_default_when_debug_is_off():
    values = settings_in(
        ["SESSION_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"],
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
    )

    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] > 0


def test_the_proxy_is_not_trusted_unless_the_environment_says_so():
    values = settings_in(
        ["SECURE_PROXY_SSL_HEADER"], DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50)
    )

    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_plain_http_demo_set_up_keeps_cookies_usable_over_http():
    values = settings_in(
        [
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
        ],
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY=secrets.token_urlsafe(50),
    )

    assert values == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "admin_url": "/admin/",
    }


def test_hsts_preload_is_an_explicit_opt_in():
    environment = production_environment() | {"SECURE_HSTS_PRELOAD": "true"}
    values = settings_in(["SECURE_HSTS_PRELOAD", "SILENCED_SYSTEM_CHECKS"], **environment)

    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SILENCED_SYSTEM_CHECKS"] == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AXES_FAILURE_LIMIT", "five"),
        ("SESSION_COOKIE_AGE", "8h"),
        ("HTTPS", "maybe"),
        ("TRUST_PROXY_HEADERS", "sure"),
    ],
)
def test_a_malformed_setting_stops_start_up_naming_the_variable(name, value):
    environment = production_environment() | {name: value}
    result = run_manage("check", **environment)

    assert result.returncode != 0
    assert name in result.stderr
