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
SECTIONS = ["bottom-line", "timeline", "actors", "claims", "sources", "article"]


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
    expect(reader.locator(".claim")).to_have_count(demo.claims.count())
    expect(reader.locator(".event")).to_have_count(demo.events.count())
    expect(reader.locator(".paragraph")).to_have_count(demo.paragraphs.count())
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
    bars = reader.locator(".timeline-chart rect.bar")
    styles = bars.evaluate_all(
        """rects => rects.map(r => [r.querySelector('title').textContent,
            getComputedStyle(r).fill, getComputedStyle(r).strokeDasharray])"""
    )
    by_title = {title.split(":")[0]: (fill, dash) for title, fill, dash in styles}
    capture_fill, capture_dash = next(
        value for title, value in by_title.items() if "capture two North Korean" in title
    )
    assert "url(" in capture_fill and capture_dash != "none"
    meeting_fill, meeting_dash = next(
        value for title, value in by_title.items() if "to meet Kim" in title
    )
    assert meeting_fill == "none" and meeting_dash != "none"
    assert any("(planned; not dated)" in title for title in by_title)
    kim = reader.locator("#actor-kim-jong-un")
    expect(kim.locator(".editors-note")).to_contain_text("Added by the editors: other names 김정은")
    expect(kim.locator(".editors-note")).to_contain_text("Wikidata Q56226")
    troops = reader.locator("#claim-6 .figure")
    expect(troops).to_have_text("approximately 10,000–12,000 soldiers")


def test_claim_paragraph_link_lands_on_the_paragraph_and_highlights_the_quote(reader, demo_url):
    reader.goto(demo_url)
    quote = reader.locator("#claim-8 q").inner_text()
    reader.locator("#claim-8 a.paragraph-link").click()
    assert reader.url.endswith("#p3")
    assert reader.evaluate("document.querySelector(':target').id") == "p3"
    expect(reader.locator("#p3")).to_be_in_viewport()
    mark = reader.locator("#p3 .paragraph-text mark", has_text=quote)
    expect(mark).to_have_count(1)
    expect(mark).to_be_in_viewport()
    background = mark.evaluate("mark => getComputedStyle(mark).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")


def test_claim_quote_link_marks_only_that_claims_words_in_its_paragraph(reader, demo_url):
    reader.goto(demo_url)
    link = reader.locator("#claim-8 a.quote-link")
    quote = reader.locator("#claim-8 q").inner_text()
    fragment = link.get_attribute("href")
    paragraph = reader.locator(fragment.split("-")[0])
    mark = reader.locator(f"{fragment} mark")
    before = mark.evaluate("mark => getComputedStyle(mark).backgroundColor")
    # The quote wraps over lines, so the middle of its box is not on it: follow it by keyboard.
    link.focus()
    reader.keyboard.press("Enter")
    assert reader.url.endswith(fragment)
    assert reader.evaluate("document.querySelector(':target').id") == fragment[1:]
    expect(paragraph).to_be_in_viewport()
    expect(mark).to_be_in_viewport()
    # Exactly the claim's words are marked, and the mark stands out now.
    expect(mark).to_have_count(1)
    assert mark.inner_text() == quote
    after = mark.evaluate("mark => getComputedStyle(mark).backgroundColor")
    assert after != before
    assert after not in ("rgba(0, 0, 0, 0)", "transparent")
    # The plain copy of the paragraph steps aside; other paragraphs stay unmarked.
    expect(paragraph.locator(".paragraph-text")).to_be_hidden()
    other = reader.locator(".paragraph:not(:has(:target)) mark").first
    assert other.evaluate("mark => getComputedStyle(mark).backgroundColor") == before


def test_paragraph_anchor_highlights_every_quote_in_it(reader, demo_url):
    reader.goto(demo_url + "#p3")
    marks = reader.locator("#p3 .paragraph-text mark")
    assert marks.count() >= 1
    expect(reader.locator("#p3")).to_be_in_viewport()
    background = marks.first.evaluate("mark => getComputedStyle(mark).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")


def test_actor_filter_narrows_the_timeline_and_claims(reader, demo_url, demo):
    reader.goto(demo_url)
    all_claims = reader.locator(".claim").count()
    all_events = reader.locator(".event").count()
    reader.locator("#actor-kim-jong-un a.filter-link").click()
    assert "?actor=kim-jong-un" in reader.url
    notice = reader.locator("#timeline .filter-notice")
    expect(notice).to_contain_text("Showing only")
    expect(notice).to_contain_text("Kim Jong Un")
    assert 0 < reader.locator(".claim").count() < all_claims
    assert 0 < reader.locator(".event").count() < all_events
    notice.get_by_role("link", name="show all").click()
    expect(reader.locator(".claim")).to_have_count(all_claims)
    expect(reader.locator(".filter-notice")).to_have_count(0)


def test_keyboard_alone_reaches_every_link_with_a_visible_focus(reader, demo_url):
    reader.goto(demo_url)
    reader.locator("body").focus()
    links = reader.evaluate(
        "Array.from(document.querySelectorAll('a[href]'))"
        ".filter(a => a.getClientRects().length).length"
    )
    reader.evaluate(
        "document.querySelectorAll('a[href]').forEach((a, i) => a.dataset.linkIndex = i)"
    )
    reader.keyboard.press("Tab")
    first = reader.evaluate("document.activeElement.textContent")
    assert first.strip() == "Skip to content"
    expect(reader.locator(".skip-link")).to_be_in_viewport()
    reached = set()
    for _ in range(links + 5):
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
        for width in (1280, 320):
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
@pytest.mark.parametrize("path", ["detail", "paragraph", "quote", "filtered", "index"])
def test_axe_finds_no_serious_or_critical_violations(browser, live_server, demo, scheme, path):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    detail = live_server.url + demo.get_absolute_url()
    page.goto(
        {
            "detail": detail,
            "paragraph": detail + "#p3",
            "quote": detail + "#p3-claim-8",
            "filtered": detail + "?actor=russia",
            "index": live_server.url + reverse("briefing:index"),
        }[path]
    )
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
