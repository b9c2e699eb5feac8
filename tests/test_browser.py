"""The public briefing page in a real browser (Debian's Chromium), with and without JavaScript."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.urls import reverse
from playwright.sync_api import expect

# The live server runs in another thread: it sees only committed data. Serialized rollback
# restores what data migrations created for the tests after these.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("unhashed_static_names"),
]

ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"
SECTIONS = ["bottom-line", "takeaways", "article", "timeline", "actors", "sources"]


@pytest.fixture(params=["javascript", "no-javascript"])
def reader(request, browser):
    """A fresh browser tab, once with JavaScript and once without: the page must not need it."""
    context = browser.new_context(
        java_script_enabled=request.param == "javascript", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_url(live_server, demo):
    return live_server.url + reverse("briefing:detail", kwargs={"slug": demo.slug})


def scroll_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_demo_page_shows_every_section(reader, demo_url, demo):
    reader.goto(demo_url)
    expect(reader.locator("h1")).to_have_text(demo.title)
    for section in SECTIONS:
        expect(reader.locator(f"#{section}")).to_be_visible()
    expect(reader.locator(".note")).to_have_count(demo.claims.count())
    expect(reader.locator(".event")).to_have_count(demo.events.count())
    expect(reader.locator(".paragraphs > li")).to_have_count(demo.paragraphs.count())
    expect(reader.locator(".timeline-chart svg")).to_be_visible()
    expect(reader.locator("text=According to TASS").first).to_be_visible()


def test_uncertainty_and_the_editors_additions_are_seen_in_words_not_only_style(reader, demo_url):
    reader.goto(demo_url)
    capture = reader.locator("#event-capture-of-paek-and-ri")
    expect(capture.locator(".event-date")).to_have_text(
        "between October 2024 and March 2025; not dated in the article"
    )
    meeting = reader.locator("#event-shoigu-meets-kim-jong-un")
    expect(meeting.locator("h3")).to_contain_text("Planned or intended")
    # On the chart: the undated span is hatched, the planned meeting drawn hollow and dotted.
    # Each bar follows its row's label.
    bars = reader.locator(".timeline-chart rect.bar")
    styles = bars.evaluate_all(
        """rects => rects.map(r => [r.previousElementSibling.textContent,
            getComputedStyle(r).fill, getComputedStyle(r).strokeDasharray])"""
    )
    by_title = {title: (fill, dash) for title, fill, dash in styles}
    capture_fill, capture_dash = next(
        value for title, value in by_title.items() if "capture two North Korean" in title
    )
    assert "url(" in capture_fill and capture_dash != "none"
    meeting_fill, meeting_dash = next(
        value for title, value in by_title.items() if "to meet Kim" in title
    )
    assert meeting_fill == "none" and meeting_dash != "none"
    assert any("(planned; not dated)" in title for title in by_title)
    troops = reader.locator("#claim-6 .figure")
    expect(troops).to_have_text("approximately 10,000–12,000 soldiers")
    # What the editors added about an actor is on its own view, which its name opens.
    reader.goto(demo_url + "?actor=kim-jong-un")
    kim = reader.locator("#actor-kim-jong-un")
    expect(kim.locator(".editors-note")).to_contain_text("Added by the editors: other names 김정은")
    expect(kim.locator(".editors-note")).to_contain_text("Wikidata Q56226")


# The words inside the marks of each claim, labels left out: {claim number: words}.
MARKED_WORDS = """() => {
    const words = {};
    const walk = (node, open) => {
        if (node.nodeType === Node.TEXT_NODE) {
            for (const n of open) words[n] = (words[n] || "") + node.textContent;
            return;
        }
        if (node.classList && node.classList.contains("quote-label")) return;
        const inner = node.dataset && node.dataset.claim ? [...open, node.dataset.claim] : open;
        for (const child of node.childNodes) walk(child, new Set(inner));
    };
    const result = {};
    for (const paragraph of document.querySelectorAll(".paragraphs > li")) {
        for (const key of Object.keys(words)) delete words[key];
        walk(paragraph.querySelector("p"), new Set());
        for (const [n, text] of Object.entries(words)) result[n] = [paragraph.id, text];
    }
    return result;
}"""


def test_each_claims_words_are_marked_in_its_paragraph_with_its_note_beside(reader, demo_url, demo):
    reader.goto(demo_url)
    marked = reader.evaluate(MARKED_WORDS)
    for claim in demo.claims.select_related("paragraph"):
        assert marked[str(claim.order)] == [f"p{claim.paragraph.number}", claim.quote]
        note = reader.locator(f"#p{claim.paragraph.number} .notes #claim-{claim.order}")
        expect(note).to_contain_text(claim.text)
    # Who says it and how, in words after the quote, not only in its colour.
    label = reader.locator("#p3 a.quote-label[href='#claim-8']")
    expect(label).to_have_text("8 TASS says")
    # The article's text is on the page once: no paragraph is repeated for its claims.
    text = reader.evaluate(
        "(() => { const copy = document.documentElement.cloneNode(true);"
        " copy.querySelectorAll('.quote-label, script').forEach(e => e.remove());"
        " return copy.textContent; })()"
    )
    for paragraph in demo.paragraphs.all():
        assert text.count(paragraph.text) == 1, paragraph.number
    # On a wide screen the notes sit beside the paragraph; on a narrow one, after it.
    text_box = reader.locator("#p3 > p").bounding_box()
    note_box = reader.locator("#claim-8").bounding_box()
    assert note_box["x"] > text_box["x"] + text_box["width"] - 1
    reader.set_viewport_size({"width": 375, "height": 800})
    text_box = reader.locator("#p3 > p").bounding_box()
    note_box = reader.locator("#claim-8").bounding_box()
    assert note_box["y"] >= text_box["y"] + text_box["height"] - 1


def test_a_takeaway_opens_to_its_evidence_and_leads_to_the_words_in_the_article(
    reader, demo_url, demo
):
    reader.goto(demo_url)
    takeaway = reader.locator(".takeaways > li").first
    evidence = takeaway.locator(".evidence")
    expect(evidence).to_be_hidden()
    takeaway.locator("summary").click()
    expect(evidence).to_be_visible()
    first = demo.takeaways.first().claims.order_by("order").first()
    item = evidence.locator("li").first
    expect(item).to_contain_text(first.quote)
    expect(item).to_contain_text("The article states")
    item.get_by_role("link").click()
    assert reader.url.endswith(f"#quote-{first.order}")
    mark = reader.locator(f"#quote-{first.order}")
    expect(mark).to_be_in_viewport()
    background = mark.evaluate("mark => getComputedStyle(mark).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")


def test_takeaways_open_by_keyboard(reader, demo_url):
    reader.goto(demo_url)
    summary = reader.locator(".takeaways summary").first
    summary.focus()
    reader.keyboard.press("Enter")
    expect(reader.locator(".takeaways details").first).to_have_attribute("open", "")
    expect(reader.locator(".takeaways .evidence").first).to_be_visible()


def test_first_screen_shows_title_edition_bottom_line_and_takeaways(browser, demo_url):
    for width in (1280, 375):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.goto(demo_url)
        for selector in ("h1", ".briefing-header .meta", ".bluf", ".takeaways > li"):
            box = page.locator(selector).first.bounding_box()
            assert box["y"] < 800, (width, selector)
        expect(page.locator(".credit .unknown")).to_have_text(
            "Outlet, headline and date not known."
        )
        context.close()


def test_the_page_is_at_most_6000_pixels_tall_on_a_desktop_and_12000_on_a_phone(browser, demo_url):
    for width, most in ((1280, 6000), (375, 12000)):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.goto(demo_url)
        height = page.evaluate("document.documentElement.scrollHeight")
        context.close()
        assert height <= most, (width, height)


def test_a_claim_has_its_own_page_with_its_quote_in_its_paragraph(reader, demo_url, demo):
    reader.goto(demo_url)
    claim = demo.claims.get(order=8)
    reader.locator("#claim-8").get_by_role("link", name="claim page").click()
    assert reader.url.endswith(f"/briefings/{demo.slug}/claims/8/")
    expect(reader.locator("h1")).to_contain_text(claim.text)
    expect(reader.locator("blockquote mark")).to_have_text(claim.quote)
    expect(reader.locator("blockquote")).to_contain_text(claim.paragraph.text[:40])
    expect(reader.locator(".facts dd").first).to_have_text("TASS")  # who says it
    expect(reader.locator(".facts")).to_contain_text("Credibility")
    og_title = reader.locator('meta[property="og:title"]').get_attribute("content")
    assert og_title.startswith("Claim 8: ")
    assert reader.locator('meta[property="og:description"]').get_attribute("content")
    reader.get_by_role("link", name="Read it in the annotated article").click()
    assert reader.url.endswith("#quote-8")
    expect(reader.locator("#quote-8")).to_be_in_viewport()


def test_printed_the_briefing_shows_takeaway_evidence_and_fits_eight_a4_pages(page, demo_url):
    page.goto(demo_url)
    page.emulate_media(media="print")
    expect(page.locator(".takeaways .evidence").first).to_be_visible()
    expect(page.locator(".site-header")).to_be_hidden()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "briefing-print.pdf").write_bytes(pdf)
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 0 < pages <= 8, pages


def test_actor_filter_narrows_the_timeline_and_claims(reader, demo_url, demo):
    reader.goto(demo_url)
    all_claims = reader.locator(".note").count()
    all_events = reader.locator(".event").count()
    reader.locator(".actor-list > summary").click()
    reader.locator("#actor-kim-jong-un").get_by_role("link", name="Kim Jong Un").click()
    assert "?actor=kim-jong-un" in reader.url
    # The name opens what the article says of the actor, then its events and claims only.
    details = reader.locator("#actor-kim-jong-un")
    expect(details).to_be_in_viewport()
    expect(details).to_contain_text("Also called Kim.")
    expect(details).to_contain_text("“Leader Kim Jong Un” in the article")
    notice = reader.locator("#timeline .filter-notice")
    expect(notice).to_contain_text("Showing only")
    expect(notice).to_contain_text("Kim Jong Un")
    assert 0 < reader.locator(".note").count() < all_claims
    assert 0 < reader.locator(".event").count() < all_events
    notice.get_by_role("link", name="show all").click()
    expect(reader.locator(".note")).to_have_count(all_claims)
    expect(reader.locator(".filter-notice")).to_have_count(0)


def test_keyboard_alone_reaches_every_link_with_a_visible_focus(reader, demo_url):
    reader.goto(demo_url)
    reader.locator("body").focus()
    # Links inside a closed disclosure are not shown, so not reachable until it is opened.
    links = reader.evaluate(
        "Array.from(document.querySelectorAll('a[href]')).filter(a => a.checkVisibility()).length"
    )
    disclosures = reader.locator("summary").count()
    reader.evaluate(
        "document.querySelectorAll('a[href]').forEach((a, i) => a.dataset.linkIndex = i)"
    )
    reader.keyboard.press("Tab")
    first = reader.evaluate("document.activeElement.textContent")
    assert first.strip() == "Skip to content"
    expect(reader.locator(".skip-link")).to_be_in_viewport()
    reached = set()
    for _ in range(links + disclosures + 5):
        focused = reader.evaluate(
            "(() => { const el = document.activeElement; const style = getComputedStyle(el);"
            " return [el.dataset.linkIndex ?? null, style.outlineStyle, style.outlineWidth]; })()"
        )
        index, outline_style, outline_width = focused
        if index is not None:
            reached.add(index)
            assert outline_style != "none" and outline_width != "0px", f"link {index}"
        reader.keyboard.press("Tab")
    assert len(reached) == links


def test_skip_link_moves_to_the_main_content(reader, demo_url):
    reader.goto(demo_url)
    reader.keyboard.press("Tab")
    reader.keyboard.press("Enter")
    assert reader.url.endswith("#main")
    expect(reader.locator("main")).to_be_in_viewport()


@pytest.mark.parametrize("query", ["", "?actor=russia"])
def test_nothing_overflows_at_320_pixels(reader, demo_url, query):
    reader.set_viewport_size({"width": 320, "height": 640})
    reader.goto(demo_url + query)
    assert scroll_width(reader) <= 320
    reader.goto(demo_url.split("/briefings/")[0] + "/")
    assert scroll_width(reader) <= 320


def test_screenshots_desktop_and_narrow_light_and_dark(browser, demo_url):
    ARTIFACTS.mkdir(exist_ok=True)
    for scheme in ("light", "dark"):
        for width in (1280, 375, 320):
            context = browser.new_context(
                viewport={"width": width, "height": 900}, color_scheme=scheme
            )
            page = context.new_page()
            page.goto(demo_url)
            assert scroll_width(page) <= width
            path = ARTIFACTS / f"briefing-{width}px-{scheme}.png"
            page.screenshot(path=path, full_page=True)
            assert path.stat().st_size > 10_000
            context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "path", ["detail", "paragraph", "quote", "filtered", "index", "claim", "opened"]
)
def test_axe_finds_no_serious_or_critical_violations(browser, live_server, demo, scheme, path):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    detail = live_server.url + demo.get_absolute_url()
    page.goto(
        {
            "detail": detail,
            "paragraph": detail + "#p3",
            "quote": detail + "#quote-8",
            "claim": detail + "claims/8/",
            "opened": detail,
            "filtered": detail + "?actor=russia",
            "index": live_server.url + reverse("briefing:index"),
        }[path]
    )
    if path == "opened":
        page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
    results = Axe().run(page)
    bad = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    context.close()
    assert bad == []


def test_page_makes_no_request_outside_the_site_and_none_fails(page, demo_url, live_server):
    requested, failed = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("response", lambda response: response.ok or failed.append(response.url))
    page.goto(demo_url)
    page.wait_for_load_state("networkidle")
    assert requested
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert failed == []
