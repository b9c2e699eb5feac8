"""The reader's pages meet issue 11's bar in Debian's Chromium: axe finds nothing at all, light
or dark, wide or 320 px; the takeaways open by keyboard without JavaScript on a narrow screen;
dark mode keeps text, links and the claims' marks at 4.5:1 or more.

Selectors name ids, roles, elements and text, not classes: the markup is free to change.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

# The live server runs in another thread: it sees only committed data. Serialized rollback
# restores what data migrations created for the tests after these.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("unhashed_static_names"),
]

NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 900}


def open_every_disclosure(page):
    page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")


def page_url(live_server, demo, view):
    detail = live_server.url + demo.get_absolute_url()
    return {
        "briefing": detail,
        "opened": detail,
        "claim": detail + "claims/8/",
        "index": live_server.url + reverse("briefing:index"),
    }[view]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    ("view", "viewport"),
    [
        ("briefing", WIDE),
        ("opened", WIDE),
        ("claim", WIDE),
        ("index", WIDE),
        ("opened", NARROW),
        ("claim", NARROW),
        ("index", NARROW),
    ],
    ids=["briefing", "opened", "claim", "index", "opened-320px", "claim-320px", "index-320px"],
)
def test_axe_finds_no_violation_of_any_impact(browser, live_server, demo, scheme, view, viewport):
    context = browser.new_context(color_scheme=scheme, viewport=viewport)
    page = context.new_page()
    page.goto(page_url(live_server, demo, view))
    if view == "opened":
        open_every_disclosure(page)
    violations = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in Axe().run(page).response["violations"]
    ]
    context.close()
    assert violations == []


def active_is(page, locator):
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator, most=200):
    """Press Tab until the element has the focus; fails if it never gets it."""
    for _ in range(most):
        if active_is(page, locator):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def test_without_javascript_at_320_pixels_every_takeaway_opens_by_keyboard(
    browser, live_server, demo
):
    context = browser.new_context(java_script_enabled=False, viewport=NARROW)
    page = context.new_page()
    page.goto(page_url(live_server, demo, "briefing"))
    disclosures = page.locator("#takeaways details")
    count = disclosures.count()
    assert count == demo.takeaways.filter(claims__isnull=False).distinct().count() > 0
    for index in range(count):
        disclosure = disclosures.nth(index)
        summary = disclosure.locator("summary")
        evidence = disclosure.get_by_role("link")
        expect(evidence.first).to_be_hidden()
        tab_to(page, summary)
        outline = summary.evaluate(
            "s => [getComputedStyle(s).outlineStyle, getComputedStyle(s).outlineWidth]"
        )
        assert outline[0] != "none" and outline[1] != "0px", f"takeaway {index}: no focus ring"
        page.keyboard.press("Enter")
        expect(disclosure).to_have_attribute("open", "")
        assert evidence.count() > 0
        # Each piece of evidence is shown, fits the screen and is the next stop of the Tab key.
        for number in range(evidence.count()):
            link = evidence.nth(number)
            expect(link).to_be_visible()
            expect(link).to_have_attribute("href", re.compile(r"#(quote|claim)-\d+$"))
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"], box
            page.keyboard.press("Tab")
            assert active_is(page, link), (index, number)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    context.close()


# For each element: its text colour, then the background colours from it up to <html>.
COLOURS = """elements => elements.filter(e => e.checkVisibility()).map(e => {
    const backgrounds = [];
    for (let node = e; node; node = node.parentElement) {
        backgrounds.push(getComputedStyle(node).backgroundColor);
    }
    const name = e.id || e.textContent.trim().slice(0, 40);
    return [e.tagName.toLowerCase() + " " + name, getComputedStyle(e).color, backgrounds];
})"""


def parse_colour(text):
    """(r, g, b, alpha) of a computed colour: Chromium gives rgb() or rgba()."""
    numbers = re.fullmatch(r"rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)", text)
    assert numbers, f"unexpected computed colour {text!r}"
    red, green, blue, alpha = numbers.groups()
    return float(red), float(green), float(blue), float(alpha if alpha is not None else 1)


def over(top, bottom):
    """The colour seen when `top`, with its alpha, is laid over the opaque `bottom`."""
    alpha = top[3]
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(top[:3], bottom[:3], strict=True))


def luminance(rgb):
    """WCAG 2 relative luminance of an sRGB colour."""

    def linear(channel):
        channel /= 255
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(text, backgrounds):
    """WCAG 2 contrast ratio of text over the backgrounds it sits on, innermost first."""
    seen = (255.0, 255.0, 255.0)  # the canvas beneath <html> if nothing paints it
    for background in reversed(backgrounds):
        seen = over(parse_colour(background), seen)
    ink = over(parse_colour(text), seen)
    lighter, darker = sorted((luminance(ink), luminance(seen)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def low_contrast(page, selector):
    rows = page.locator(selector).evaluate_all(COLOURS)
    assert rows, f"nothing visible matches {selector}"
    return [
        (name, text, round(contrast(text, backgrounds), 2))
        for name, text, backgrounds in rows
        if contrast(text, backgrounds) < 4.5
    ]


@pytest.mark.parametrize("view", ["briefing", "claim"])
def test_in_dark_mode_text_links_and_claim_marks_contrast_at_least_4_5_to_1(
    browser, live_server, demo, view
):
    context = browser.new_context(color_scheme="dark", viewport=WIDE)
    page = context.new_page()
    url = page_url(live_server, demo, view)
    page.goto(url)
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    # The page is painted dark, not left on the light default.
    html_background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert luminance(parse_colour(html_background)[:3]) < 0.05, html_background
    open_every_disclosure(page)
    failures = {
        "body text": low_contrast(page, "body"),
        "article and note text": low_contrast(page, "main p"),
        "links": low_contrast(page, "main a[href]"),
        "claim marks": low_contrast(page, "main mark"),
    }
    context.close()
    assert {part: found for part, found in failures.items() if found} == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_each_highlighted_claim_mark_keeps_its_words_and_links_legible(
    browser, live_server, demo, scheme
):
    """A linked claim's words are highlighted; they and any label nested in them stay legible."""
    context = browser.new_context(color_scheme=scheme, viewport=WIDE)
    page = context.new_page()
    url = page_url(live_server, demo, "briefing")
    page.goto(url)
    anchors = page.locator("main mark[id]").evaluate_all("marks => marks.map(m => m.id)")
    assert "quote-8" in anchors
    failures = {}
    for anchor in anchors:
        page.goto(f"{url}#{anchor}")
        mark = page.locator(f"#{anchor}")
        background = parse_colour(mark.evaluate("m => getComputedStyle(m).backgroundColor"))
        assert background[3] > 0, f"{anchor} is not highlighted when linked to"
        found = low_contrast(page, f"#{anchor}, #{anchor} mark, #{anchor} a[href]")
        if found:
            failures[anchor] = found
    context.close()
    assert failures == {}
