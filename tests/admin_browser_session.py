"""Staff in a real browser: the editorial groups as the migrations make them, and logging in."""

from importlib import import_module

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from playwright.sync_api import expect

from tests.factories import PASSWORD

GROUP_MIGRATIONS = [
    ("0002_editorial_groups", "create_groups"),
    ("0003_changenotes_for_publishers", "restrict_notes_to_publishers"),
    ("0008_first_editions", "grant_permissions"),
]


@pytest.fixture
def editorial_groups():
    """The Editors and Publishers groups exactly as the data migrations make them.

    A transactional test run earlier empties the database, and serialized rollback cannot put
    the groups back here: under Playwright the test's database connection is not the one that
    holds the serialized data. So the data migrations are replayed on their migration state.
    """
    if Group.objects.filter(name__in=["Editors", "Publishers"]).count() < 2:
        ContentType.objects.clear_cache()
        state = MigrationLoader(connection).project_state(("briefing", GROUP_MIGRATIONS[-1][0]))
        for module, function in GROUP_MIGRATIONS:
            getattr(import_module(f"briefing.migrations.{module}"), function)(state.apps, None)
        ContentType.objects.clear_cache()
    return Group.objects.get(name="Editors"), Group.objects.get(name="Publishers")


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Site administration")).to_be_visible()
