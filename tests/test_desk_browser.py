"""An editor builds a whole briefing from a new agency report on the annotation desk, in a real
browser; a checker checks it and a Publisher publishes it. Every form submission and page load
is counted."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from briefing.models import Actor, Briefing, Claim, Edition, Event, Source
from tests.admin_browser_session import log_in
from tests.factories import ActorFactory, SourceFactory, StaffFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("unhashed_static_names"),
]

# A plausible agency report of ten paragraphs, written for this test.
PARAGRAPHS = [
    (
        "PYONGYANG, June 19 (AFP): Russian President Vladimir Putin arrived in Pyongyang on "
        "Wednesday for talks with Kim Jong Un, the Korean Central News Agency reported."
    ),
    "It is Putin's first visit to North Korea in 24 years.",
    (
        "The two leaders signed a strategic partnership treaty on Wednesday, according to RIA "
        "Novosti."
    ),
    (
        "Kremlin spokesman Dmitry Peskov said the treaty would cover security. He was quoted as "
        "saying that Moscow and Pyongyang had agreed to help each other."
    ),
    "Kim Jong Un called Russia an invincible ally, the Korean Central News Agency reported.",
    "Seoul said last year that North Korea had shipped artillery shells to Russia.",
    "Washington has accused Pyongyang of supplying weapons for use in Ukraine.",
    "Moscow and Pyongyang deny the accusations.",
    "Putin could visit Vietnam after Pyongyang, the Kremlin said.",
    "Kim Jong Un reportedly inspected a new missile launcher earlier this month.",
]
ARTICLE = "\n".join(PARAGRAPHS) + "\n"

MEDIA = ("state_media", "media_outlet")  # the source's kind, and its actor's
GOVERNMENT = ("government", "government_body")
# For each sentence (paragraph, sentence): the claim in the briefing's words, and what the
# editor does on the way: a new source or actor from the sentence, an event from its date.
CLAIMS = [
    (
        (1, 1),
        "Putin arrived in Pyongyang for talks with Kim Jong Un.",
        {"source": MEDIA},
    ),
    ((2, 1), "It is Putin's first visit to North Korea in 24 years.", {}),
    (
        (3, 1),
        "Putin and Kim signed a strategic partnership treaty.",
        {"source": MEDIA},
    ),
    ((4, 1), "The treaty covers security, according to the Kremlin.", {"actor": "Peskov"}),
    ((4, 2), "Russia and North Korea agreed to help each other.", {}),
    ((5, 1), "Kim called Russia an invincible ally.", {}),
    ((6, 1), "North Korea shipped artillery shells to Russia, South Korea said.", {}),
    ((7, 1), "The United States accuses North Korea of arming Russia for Ukraine.", {}),
    ((8, 1), "Russia and North Korea deny it.", {}),
    ((9, 1), "Putin may visit Vietnam next.", {"source": GOVERNMENT}),
    ((10, 1), "Kim reportedly inspected a new missile launcher.", {}),
]
EVENTS = {
    (1, 1): ("Putin arrives in Pyongyang", "visit", "‘on Wednesday’", "2024-06-19"),
    (3, 1): ("Putin and Kim sign a treaty", "agreement", "‘on Wednesday’", "2024-06-19"),
    (6, 1): (
        "Artillery shells shipped to Russia",
        "arms_transfer",
        "‘last year’",
        "2023",
    ),
}


@pytest.fixture
def known_world(db):
    """What the site knows from earlier briefings: actors, the agency as a source."""
    south_korea = ActorFactory(name="South Korea", kind="state", aliases="Seoul")
    SourceFactory(name="South Korean government", kind="government", actor=south_korea)
    SourceFactory(name="AFP", kind="article")
    ActorFactory(name="Vladimir Putin", aliases="Putin\nRussian President Vladimir Putin")
    ActorFactory(name="Kim Jong Un", aliases="Kim")
    ActorFactory(name="Russia", kind="state", aliases="Moscow")
    ActorFactory(name="North Korea", kind="state", aliases="Pyongyang")
    ActorFactory(name="United States", kind="state", aliases="Washington")
    ActorFactory(name="Ukraine", kind="state")
    ActorFactory(name="Vietnam", kind="state")


class Counter:
    """Counts the browser's top-level navigations: form submissions (POST) and page loads."""

    def __init__(self, page):
        self.submissions = self.loads = 0
        page.on("request", self.count)
        self.page = page

    def count(self, request):
        if not request.is_navigation_request() or request.frame != self.page.main_frame:
            return
        if request.method == "POST":
            self.submissions += 1
        else:
            self.loads += 1


def saved(page, text):
    expect(page.locator(".messagelist")).to_contain_text(text)


def test_an_editor_builds_a_whole_briefing_on_the_desk_and_a_publisher_publishes_it(
    page, live_server, editorial_groups, known_world
):
    editors, publishers = editorial_groups
    for username, group in [("editor", editors), ("checker", editors), ("publisher", publishers)]:
        StaffFactory(username=username).groups.add(group)
    admin = f"{live_server.url}/admin/briefing"
    counter = Counter(page)

    # The editor pastes the article: title, text and the date the wire gives, nothing else.
    log_in(page, live_server, "editor")
    page.goto(f"{admin}/briefing/add/")
    page.get_by_label("Title").press_sequentially("Putin in Pyongyang")
    page.get_by_label("Article text").fill(ARTICLE)
    page.locator("#id_article_published_on").fill("2024-06-19")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#coverage")).to_contain_text("0 of 11 sentences have claims.")
    briefing = Briefing.objects.get(slug="putin-in-pyongyang")

    # The dateline gives the outlet: confirmed in one click.
    expect(page.locator(".desk-dateline")).to_contain_text("Place: Pyongyang. Outlet: AFP.")
    page.get_by_role("button", name="Use for the article").click()
    saved(page, "outlet and date are saved")

    for (paragraph, sentence), wording, extra in CLAIMS:
        page.locator(f"#p{paragraph}s{sentence} .desk-claim-button").click()
        draft = page.locator("#draft")
        expect(draft).to_be_visible()
        if extra.get("source"):
            # The cue names a source the site does not know: made here, with its actor.
            source_kind, actor_kind = extra["source"]
            draft.locator("#id_source-kind").select_option(source_kind)
            draft.locator("#id_source-also_actor_kind").select_option(actor_kind)
            draft.get_by_role("button", name="New source").click()
            saved(page, "and the actor")
        if extra.get("actor"):
            form = page.locator(
                "#draft form", has=page.locator("input[name=actor-name][value='Dmitry Peskov']")
            )
            form.get_by_label("Kind").select_option("person")
            form.get_by_label("Role").fill("Kremlin spokesman")
            form.get_by_role("button", name="New actor from this mention").click()
            saved(page, "Actor “Dmitry Peskov” created")
        if (paragraph, sentence) in EVENTS:
            title, kind, phrase, edtf = EVENTS[(paragraph, sentence)]
            form = page.locator(
                "#draft .desk-small-form", has=page.locator(f"input[value^='{phrase}']")
            )
            expect(form.locator("input[name$=date_edtf]")).to_have_value(edtf)
            form.locator("input[name$=title]").fill(title)
            form.locator("select[name$=kind]").select_option(kind)
            form.get_by_role("button", name="New event").click()
            saved(page, f"Event “{title}” created")
            page.locator("#draft").get_by_label(title).check()
        draft = page.locator("#draft")
        draft.locator("#id_text").fill(wording)
        if (paragraph, sentence) == (8, 1):
            # A plain statement of the article's: its own reporting.
            expect(draft.locator("#id_status")).to_have_value("stated")
        draft.get_by_role("button", name="Save claim").click()
        saved(page, "saved")

    expect(page.locator("#coverage")).to_contain_text("11 of 11 sentences have claims.")
    claims = list(Claim.objects.filter(briefing=briefing).order_by("order"))
    assert [claim.text for claim in claims] == [wording for _, wording, _ in CLAIMS]
    assert all(claim.actors.exists() for claim in claims), [
        claim.text for claim in claims if not claim.actors.exists()
    ]
    by_text = {claim.text: claim for claim in claims}
    assert by_text[CLAIMS[2][1]].source.name == "RIA Novosti"
    assert by_text[CLAIMS[2][1]].status == "attributed"
    assert by_text[CLAIMS[3][1]].claimant.name == "Dmitry Peskov"
    assert by_text[CLAIMS[6][1]].source.name == "South Korean government"
    assert by_text[CLAIMS[10][1]].status == "alleged"
    assert Source.objects.get(name="RIA Novosti").actor.name == "RIA Novosti"
    events = {event.title: event for event in Event.objects.filter(briefing=briefing)}
    assert {title: (e.date_edtf, e.date_basis) for title, e in events.items()} == {
        title: (edtf, "inferred") for title, _, _, edtf in EVENTS.values()
    }
    assert Actor.objects.filter(name="Dmitry Peskov", role="Kremlin spokesman").exists()

    # The conclusions come last, with a takeaway resting on claims of this briefing only.
    page.goto(f"{admin}/briefing/{briefing.pk}/change/")
    page.get_by_label("Summary").fill("Putin visited North Korea and signed a treaty with Kim.")
    page.get_by_label("Bottom line").fill("Moscow and Pyongyang now promise each other help.")
    page.get_by_text("Add another Takeaway").click()
    page.locator("#id_takeaways-0-text").fill("Russia and North Korea deepen their alliance.")
    page.locator("#id_takeaways-0-claims + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Putin and Kim")
    page.locator(".select2-results__option", has_text=CLAIMS[2][1]).first.click()
    page.get_by_role("button", name="Save", exact=True).click()
    saved(page, "was changed successfully")
    assert briefing.takeaways.get().order == 1

    # A second editor checks the claims and events, each list in one action.
    log_in(page, live_server, "checker")
    for model in ("claim", "event"):
        page.goto(f"{admin}/{model}/?briefing__id__exact={briefing.pk}")
        page.locator("#action-toggle").check()
        page.locator("select[name=action]").select_option("mark_checked")
        page.get_by_role("button", name="Go").click()
        saved(page, "Marked")
    assert not briefing.unchecked_items()

    # The Publisher publishes.
    log_in(page, live_server, "publisher")
    page.goto(f"{admin}/briefing/{briefing.pk}/publish/")
    page.get_by_role("button", name="Publish edition 1").click()
    saved(page, "Published edition 1")
    assert Edition.objects.get(briefing=briefing).number == 1

    print(
        f"\nDesk walk-through: {counter.submissions} form submissions, "
        f"{counter.loads} page loads for {len(claims)} claims"
    )
    assert counter.submissions < 40
    claim_saves = len(claims)
    assert counter.submissions - claim_saves <= 20  # everything else the briefing needs


def open_desk_on_a_new_briefing(page, live_server, published_on=None):
    """Log in as the editor, paste the article into a new briefing and save: the desk opens."""
    log_in(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/briefing/briefing/add/")
    page.get_by_label("Title").fill("Putin in Pyongyang")
    page.get_by_label("Slug").fill("putin-in-pyongyang")
    page.get_by_label("Article text").fill(ARTICLE)
    if published_on:
        page.locator("#id_article_published_on").fill(published_on)
    page.get_by_role("button", name="Save", exact=True).click()


def test_the_desk_works_without_javascript(browser, live_server, editorial_groups, known_world):
    editors, _ = editorial_groups
    StaffFactory(username="editor").groups.add(editors)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    open_desk_on_a_new_briefing(page, live_server, published_on="2024-06-19")
    page.locator("#p2s1").get_by_role("link", name="Claim this sentence").click()
    page.locator("#draft #id_text").fill("It is Putin's first visit in 24 years.")
    page.locator("#draft #id_source").select_option(label="AFP")
    page.get_by_role("button", name="Save claim").click()
    expect(page.locator("#coverage")).to_contain_text("1 of 11 sentences have claims.")
    claim = Claim.objects.get()
    assert claim.quote == "It is Putin's first visit to North Korea in 24 years."
    context.close()


def test_selecting_words_drafts_a_claim_on_exactly_those_words(
    page, live_server, editorial_groups, known_world
):
    editors, _ = editorial_groups
    StaffFactory(username="editor").groups.add(editors)
    open_desk_on_a_new_briefing(page, live_server)
    text = page.locator("#p3s1 .desk-text")
    text.evaluate(
        """element => {
            const node = element.firstChild;
            const start = node.textContent.indexOf("signed");
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + "signed a strategic partnership treaty".length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            element.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }"""
    )
    page.get_by_role("link", name="Claim the selected words").click()
    expect(page.locator("#draft #id_quote")).to_have_value("signed a strategic partnership treaty")
    expect(page.locator("#draft")).to_be_focused()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violations_on_the_desk_with_a_draft(
    browser, live_server, editorial_groups, known_world, scheme
):
    editors, _ = editorial_groups
    StaffFactory(username="editor").groups.add(editors)
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    open_desk_on_a_new_briefing(page, live_server, published_on="2024-06-19")
    page.locator("#p1s1").get_by_role("link", name="Claim this sentence").click()
    expect(page.locator("#draft")).to_be_visible()
    results = Axe().run(page)
    bad = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    context.close()
    assert bad == []


def test_the_desk_with_a_draft_fits_a_320_pixel_screen(
    browser, live_server, editorial_groups, known_world
):
    editors, _ = editorial_groups
    StaffFactory(username="editor").groups.add(editors)
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    open_desk_on_a_new_briefing(page, live_server, published_on="2024-06-19")
    page.locator("#p6s1").get_by_role("link", name="Claim this sentence").click()
    expect(page.locator("#draft")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()
