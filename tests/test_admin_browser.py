"""An editor, a checker and a publisher take an article to a published briefing, and to its
second edition, in a real browser; a reader sees each edition as it is published."""

import pytest
from playwright.sync_api import expect

from briefing.models import Briefing, Claim, Edition, ReviewStatus
from tests.admin_browser_session import log_in
from tests.factories import SourceFactory, StaffFactory

# The live server runs in another thread: it sees only committed data.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("unhashed_static_names"),
]

ARTICLE = """Shoigu arrives in Pyongyang

Sergei Shoigu, Secretary of Russia's Security Council, arrived in Pyongyang on Friday.
He met Kim Jong Un and discussed "all issues of mutual interest", TASS reported.
"""
FIRST_WORDING = "Shoigu met Kim Jong Un in Pyongyang."
SECOND_WORDING = "Shoigu met Kim Jong Un; TASS says they discussed “all issues of mutual interest”."
NOTE = "Claim 1 now gives the topic of the talks as TASS reported it."


def choose(page, field_id, search, option_text=None):
    """Pick an option of an admin autocomplete (select2) widget, the way an editor does."""
    page.locator(f"#{field_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option_text or search).first.click()


def check_claim(page, admin, claim):
    """Select the claim in the list and run “Mark selected as checked”."""
    page.goto(f"{admin}/claim/")
    page.locator(f"input[name=_selected_action][value='{claim.pk}']").check()
    page.locator("select[name=action]").select_option("mark_checked")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("Marked 1 as checked")


def open_publish_screen(page, admin, briefing):
    page.goto(f"{admin}/briefing/{briefing.pk}/change/")
    page.get_by_role("link", name="Publish…").first.click()
    expect(page.locator("h1")).to_contain_text("Publish")


def read_as_a_reader(page, url):
    page.context.clear_cookies()
    assert page.goto(url).status == 200


def test_editor_prepares_a_checker_checks_and_a_publisher_publishes_two_editions(
    page, live_server, editorial_groups
):
    editors, publishers = editorial_groups
    for username, group in [("editor", editors), ("checker", editors), ("publisher", publishers)]:
        StaffFactory(username=username).groups.add(group)
    SourceFactory(name="TASS", slug="tass")
    admin = f"{live_server.url}/admin/briefing"
    public = f"{live_server.url}/briefings/shoigu-in-pyongyang/"

    # The editor starts the briefing by pasting the article.
    log_in(page, live_server, "editor")
    page.goto(f"{admin}/briefing/add/")
    page.get_by_label("Title").press_sequentially("Shoigu in Pyongyang")
    expect(page.get_by_label("Slug")).to_have_value("shoigu-in-pyongyang")
    page.get_by_label("Summary").fill("Russia's security chief met Kim Jong Un.")
    page.get_by_label("Bottom line").fill("Moscow and Pyongyang keep talking at the top.")
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

    # ... a claim, picking briefing, source and claimant through the autocomplete widgets ...
    page.goto(f"{admin}/claim/add/")
    choose(page, "id_briefing", "Shoigu in", "Shoigu in Pyongyang")
    page.locator("#id_order").fill("1")
    page.locator("#id_text").fill(FIRST_WORDING)
    choose(page, "id_source", "TAS", "TASS")
    choose(page, "id_claimant", "Shoig", "Sergei Shoigu")
    cited = briefing.paragraphs.get(text__startswith="He met Kim")
    page.locator("#id_paragraph").select_option(str(cited.pk))
    page.locator("#id_quote").fill("He met Kim Jong Un")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    claim = Claim.objects.get(briefing=briefing)
    assert claim.claimant.name == "Sergei Shoigu"
    assert claim.last_edited_by.username == "editor"

    # ... and a takeaway resting on the claim, in the briefing's own form.
    page.goto(f"{admin}/briefing/{briefing.pk}/change/")
    page.get_by_text("Add another Takeaway").click()
    page.locator("#id_takeaways-0-order").fill("1")
    page.locator("#id_takeaways-0-text").fill("Russia and North Korea deepen their ties.")
    choose(page, "id_takeaways-0-claims", "Shoigu met", FIRST_WORDING)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert list(briefing.takeaways.get().claims.all()) == [claim]

    # An editor has no way to publish: no button, and the publish screen is refused.
    page.goto(f"{admin}/briefing/{briefing.pk}/change/")
    expect(page.get_by_role("link", name="Publish…")).to_have_count(0)
    expect(page.locator("input[name=_publish]")).to_have_count(0)
    assert page.goto(f"{admin}/briefing/{briefing.pk}/publish/").status == 403

    # The publisher's first attempt is refused: nobody has checked the claim yet.
    log_in(page, live_server, "publisher")
    open_publish_screen(page, admin, briefing)
    expect(page.get_by_role("heading", name="Not yet")).to_be_visible()
    page.get_by_role("button", name="Publish edition 1").click()
    expect(page.locator("form .errorlist")).to_contain_text("Still to be checked")
    expect(page.locator("form .errorlist")).to_contain_text(FIRST_WORDING)
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT
    assert page.goto(public).status == 404

    # A second editor checks the claim: the one who wrote it may not.
    log_in(page, live_server, "checker")
    check_claim(page, admin, claim)
    claim.refresh_from_db()
    assert claim.is_checked
    assert (claim.review_status, claim.checked_by.username) == (ReviewStatus.CHECKED, "checker")

    # The publisher sees everything as added and publishes the first edition, with no note.
    log_in(page, live_server, "publisher")
    open_publish_screen(page, admin, briefing)
    expect(page.get_by_role("heading", name="Not yet")).to_have_count(0)
    expect(page.locator(".publish-changes").first).to_contain_text("Added")
    expect(page.locator("#content-main")).to_contain_text(f"Claim 1: {FIRST_WORDING}")
    page.get_by_role("button", name="Publish edition 1").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Published edition 1")
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.PUBLISHED
    assert briefing.live_edition.number == 1

    # Anyone now reads the claim on the public page.
    read_as_a_reader(page, public)
    expect(page.locator("body")).to_contain_text(FIRST_WORDING)
    expect(page.locator("body")).to_contain_text("Edition 1")

    # The editor rewords the claim: readers keep the first edition, the claim needs a check.
    log_in(page, live_server, "editor")
    page.goto(f"{admin}/claim/{claim.pk}/change/")
    page.locator("#id_text").fill(SECOND_WORDING)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("needs checking again")
    claim.refresh_from_db()
    assert (claim.text, claim.is_checked) == (SECOND_WORDING, False)
    read_as_a_reader(page, public)
    expect(page.locator("body")).to_contain_text(FIRST_WORDING)
    expect(page.locator("body")).not_to_contain_text(SECOND_WORDING)

    # The checker checks the new wording.
    log_in(page, live_server, "checker")
    check_claim(page, admin, claim)

    # The publisher sees what the second edition changes, and must say so for readers.
    log_in(page, live_server, "publisher")
    open_publish_screen(page, admin, briefing)
    changes = page.locator(".publish-changes")
    expect(changes).to_have_count(1)  # only the claims: nothing else changed
    expect(changes).to_contain_text("Changed")
    expect(changes).to_contain_text(f"Claim 1: {SECOND_WORDING}"[:89])
    expect(changes).to_contain_text(f"text: “{FIRST_WORDING}” → “{SECOND_WORDING}”")
    expect(page.get_by_role("heading", name="Not yet")).to_have_count(0)
    page.get_by_role("button", name="Publish edition 2").click()
    expect(page.locator("form .errorlist")).to_contain_text("What changed")
    assert Edition.objects.count() == 1
    page.get_by_label("What changed").fill(NOTE)
    page.get_by_role("button", name="Publish edition 2").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Published edition 2")
    edition = Edition.objects.get(number=2)
    assert (edition.note, edition.published_by.username) == (NOTE, "publisher")

    # A reader sees the second edition, with its note; the first stays at its own address.
    read_as_a_reader(page, public)
    body = page.locator("body")
    expect(body).to_contain_text(SECOND_WORDING)
    expect(body).to_contain_text("Edition 2")
    expect(page.locator("#editions")).to_contain_text(NOTE)
    read_as_a_reader(page, f"{public}editions/1/")
    expect(page.locator("body")).to_contain_text(FIRST_WORDING)
    expect(page.locator("body")).to_contain_text("An earlier edition")
