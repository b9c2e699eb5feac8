"""An editor and a publisher take an article to a published briefing in a real browser."""

from importlib import import_module

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from playwright.sync_api import expect

from briefing.models import Briefing, Claim, ReviewStatus
from tests.factories import SourceFactory, StaffFactory

# The live server runs in another thread: it sees only committed data.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("unhashed_static_names"),
]
GROUP_MIGRATIONS = [
    ("0002_editorial_groups", "create_groups"),
    ("0003_changenotes_for_publishers", "restrict_notes_to_publishers"),
]

PASSWORD = "correct horse battery staple"
ARTICLE = """Shoigu arrives in Pyongyang

Sergei Shoigu, Secretary of Russia's Security Council, arrived in Pyongyang on Friday.
He met Kim Jong Un and discussed "all issues of mutual interest", TASS reported.
"""


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


def choose(page, field_id, search, option_text=None):
    """Pick an option of an admin autocomplete (select2) widget, the way an editor does."""
    page.locator(f"#{field_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option_text or search).first.click()


def test_editor_prepares_a_briefing_and_publisher_checks_and_publishes_it(
    page, live_server, editorial_groups
):
    editors, publishers = editorial_groups
    editor = StaffFactory(username="editor")
    editor.groups.add(editors)
    publisher = StaffFactory(username="publisher")
    publisher.groups.add(publishers)
    SourceFactory(name="TASS", slug="tass")
    admin = f"{live_server.url}/admin/briefing"

    # The editor starts the briefing by pasting the article.
    log_in(page, live_server, "editor")
    page.goto(f"{admin}/briefing/add/")
    page.get_by_label("Title").press_sequentially("Shoigu in Pyongyang")
    expect(page.get_by_label("Slug")).to_have_value("shoigu-in-pyongyang")
    page.get_by_label("Summary").fill("Russia's security chief met Kim Jong Un.")
    page.get_by_label("Article text").fill(ARTICLE)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    briefing = Briefing.objects.get(slug="shoigu-in-pyongyang")
    assert briefing.paragraphs.count() == 3

    # ... adds an actor ...
    page.goto(f"{admin}/actor/add/")
    page.locator("#id_name").press_sequentially("Sergei Shoigu")
    page.get_by_label("Kind").select_option("person")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # ... and a claim, picking briefing, source and claimant through the autocomplete widgets.
    page.goto(f"{admin}/claim/add/")
    choose(page, "id_briefing", "Shoigu in", "Shoigu in Pyongyang")
    page.locator("#id_order").fill("1")
    page.locator("#id_text").fill("Shoigu met Kim Jong Un in Pyongyang.")
    choose(page, "id_source", "TAS", "TASS")
    choose(page, "id_claimant", "Shoig", "Sergei Shoigu")
    cited = briefing.paragraphs.get(text__startswith="He met Kim")
    page.locator("#id_paragraph").select_option(str(cited.pk))
    page.locator("#id_quote").fill("He met Kim Jong Un")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    claim = Claim.objects.get(briefing=briefing)
    assert claim.claimant.name == "Sergei Shoigu"

    # An editor is offered no way to publish.
    page.goto(f"{admin}/briefing/{briefing.pk}/change/")
    expect(page.locator("input[name=_publish]")).to_have_count(0)
    page.goto(f"{admin}/briefing/")
    expect(page.locator("select[name=action] option[value=publish_selected]")).to_have_count(0)

    # The publisher's first attempt is refused: the claim is unchecked.
    log_in(page, live_server, "publisher")
    page.goto(f"{admin}/briefing/{briefing.pk}/change/")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".messagelist .error")).to_contain_text("still unchecked")
    expect(page.locator(".messagelist .error")).to_contain_text("Shoigu met Kim Jong Un")
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT

    # Checking the claim, then publishing.
    page.goto(f"{admin}/claim/")
    page.locator(f"input[name=_selected_action][value='{claim.pk}']").check()
    page.locator("select[name=action]").select_option("mark_checked")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("Marked 1 as checked")
    claim.refresh_from_db()
    assert (claim.review_status, claim.checked_by) == (ReviewStatus.CHECKED, publisher)

    page.goto(f"{admin}/briefing/{briefing.pk}/change/")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".messagelist .success")).to_contain_text("is published")
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.PUBLISHED

    # Anyone now reads the claim on the public page.
    page.context.clear_cookies()
    response = page.goto(f"{live_server.url}/briefings/shoigu-in-pyongyang/")
    assert response.status == 200
    assert "Shoigu met Kim Jong Un in Pyongyang." in page.content()
