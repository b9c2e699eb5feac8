"""/healthz for load balancers; plain 404 and 500 pages, logged with the request path."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import path, reverse

from briefing.urls import urlpatterns as site_urlpatterns
from tests.factories import StaffFactory
from tests.faults import database_down

BASE_DIR = Path(__file__).resolve().parent.parent


def boom(request):
    raise RuntimeError("kaboom: internal detail that must not reach the reader")


# Used by the 500 tests as ROOT_URLCONF: the site's URLs plus one view that fails.
urlpatterns = [path("boom/", boom), *site_urlpatterns]
handler500 = "briefing.health.server_error"


def test_healthz_answers_200_after_one_database_round_trip(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_never_cached(client, db):
    response = client.get(reverse("healthz"))

    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_healthz_answers_503_when_the_database_is_down(client):
    with database_down():
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_healthz_is_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("briefing:index")).status_code == 301


def test_an_unknown_address_gets_a_plain_404_page_in_the_site_style(client, db):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert 'rel="stylesheet"' in response.text
    assert reverse("briefing:index") in response.text
    assert "Traceback" not in response.text
    assert "URLconf" not in response.text


def test_a_404_is_logged_with_the_request_path(client, db, caplog):
    client.get("/no/such/page/")

    assert any(
        record.name == "django.request" and "/no/such/page/" in record.getMessage()
        for record in caplog.records
    )


@pytest.mark.urls(__name__)
def test_a_server_error_gets_a_plain_500_page_without_details(client, db):
    client.raise_request_exception = False
    response = client.get("/boom/")

    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert 'rel="stylesheet"' in response.text
    assert "kaboom" not in response.text
    assert "Traceback" not in response.text
    assert "SECRET_KEY" not in response.text


@pytest.mark.urls(__name__)
def test_a_server_error_is_logged_with_the_path_and_traceback(client, db, caplog):
    client.raise_request_exception = False
    client.get("/boom/")

    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelname == "ERROR"
    assert "/boom/" in record.getMessage()
    assert record.exc_info[0] is RuntimeError


def test_errors_are_logged_to_stdout(tmp_path):
    """Run outside pytest's log capture: the service manager reads the process's stdout."""
    environment = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.test import Client; Client().get('/no/such/page/')",
        ],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert "WARNING django.request Not Found: /no/such/page/" in result.stdout


def test_a_bad_host_gets_a_plain_400_page(client, db):
    response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "Bad request" in response.text
    assert "ALLOWED_HOSTS" not in response.text


def test_a_forbidden_admin_page_is_a_plain_403_in_the_site_style(client, db):
    client.force_login(StaffFactory())  # staff, but without any permission
    response = client.get(reverse("admin:auth_user_changelist"))

    assert response.status_code == 403
    assert "Not allowed" in response.text
