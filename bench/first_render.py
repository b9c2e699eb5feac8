"""Chromium's first render of the demo page: style, layout and paint, with two sets of styles.

Usage: .venv/bin/python bench/first_render.py [--runs 15] [--against REV]

Lighthouse on a phone counts the page's first render twice over (its slowed-down CPU halves
the work of a task that lays out) and adds whatever of it falls after its estimate of the first
paint to the Total Blocking Time. That render is mostly font work on Linux: each family the
stylesheet names and each size and weight the page uses is looked up and prepared, one call at
a time, in a browser that has not drawn a page yet.

Starts gunicorn as bench/throughput.py does and takes the demo page's HTML from it. Then, for
each run, opens it in a fresh Debian Chromium (as Lighthouse does: no font is ready yet) at
Lighthouse's phone size, 412 x 823 CSS pixels at 1.75 device pixels each, once with the
stylesheets of REV (default: HEAD) and once with those in the working tree, the two
interleaved, the page's own requests answered from memory (a stylesheet REV lacks, empty).
Chromium's trace gives the time its main thread spent in style (UpdateLayoutTree), layout,
pre-paint and paint until the page's load event, plus 300 ms. Prints each run and the medians,
and the working tree's median as a ratio of REV's.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright
from throughput import BASE_DIR, SLUG, Server, demo_environment, fetch
from weight import CHROMIUM_ARGS

STYLESHEETS = ("static/briefing/site.css", "static/briefing/article.css")
PHASES = ("UpdateLayoutTree", "Layout", "PrePaint", "Paint")
PAGE_URL = "https://briefing.test/page/"


def render_times(playwright, html, stylesheets, trace_path):
    """Milliseconds of each phase on the page's main thread, in a browser started for it.

    `stylesheets` maps a stylesheet's name before its hash ("site") to its text."""

    def answer(route):
        if route.request.url == PAGE_URL:
            route.fulfill(body=html, content_type="text/html; charset=utf-8")
        elif route.request.url.endswith(".css"):
            name = route.request.url.rsplit("/", 1)[-1].split(".")[0]
            route.fulfill(body=stylesheets.get(name, ""), content_type="text/css")
        else:  # the icon: not part of the render
            route.fulfill(status=404, body="")

    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    context = browser.new_context(
        viewport={"width": 412, "height": 823}, device_scale_factor=1.75, is_mobile=True
    )
    page = context.new_page()
    page.route("**/*", answer)
    browser.start_tracing(page=page, path=str(trace_path), categories=["devtools.timeline"])
    page.goto(PAGE_URL, wait_until="load")
    page.wait_for_timeout(300)
    browser.stop_tracing()
    browser.close()
    events = json.loads(trace_path.read_text())["traceEvents"]
    totals = dict.fromkeys(PHASES, 0.0)
    for event in events:
        if event.get("ph") == "X" and event.get("name") in totals:
            totals[event["name"]] += event["dur"] / 1000
    return totals


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each set of styles")
    parser.add_argument("--against", default="HEAD", help="the git revision to compare with")
    args = parser.parse_args()

    def at_revision(path):
        shown = subprocess.run(
            ["git", "show", f"{args.against}:{path}"], cwd=BASE_DIR, capture_output=True, text=True
        )
        return shown.stdout if shown.returncode == 0 else ""

    stylesheets = {
        args.against: {Path(path).stem: at_revision(path) for path in STYLESHEETS},
        "working tree": {
            Path(path).stem: (BASE_DIR / path).read_text() if (BASE_DIR / path).exists() else ""
            for path in STYLESHEETS
        },
    }
    workdir = Path(tempfile.mkdtemp(prefix="briefing-first-render-"))
    with Server(demo_environment(workdir), workdir / "gunicorn.log") as server:
        status, _, html = fetch(f"{server.url}/briefings/{SLUG}/")
        if status != 200:
            sys.exit(f"the demo page answered {status}")

    results = {name: [] for name in stylesheets}
    with sync_playwright() as playwright:
        for run in range(args.runs):
            for name, styles in stylesheets.items():
                times = render_times(playwright, html, styles, workdir / "trace.json")
                results[name].append(times)
                cells = ", ".join(f"{phase} {times[phase]:.1f}" for phase in PHASES)
                print(f"run {run + 1}, {name}: {sum(times.values()):.1f} ms ({cells})")
    shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nMedians of {args.runs} runs, ms:\n")
    print("| styles | " + " | ".join(PHASES) + " | total |")
    print("| --- |" + " ---: |" * (len(PHASES) + 1))
    totals = {}
    for name, runs in results.items():
        medians = [statistics.median(times[phase] for times in runs) for phase in PHASES]
        totals[name] = statistics.median(sum(times.values()) for times in runs)
        cells = " | ".join(f"{median:.1f}" for median in medians)
        print(f"| {name} | {cells} | {totals[name]:.1f} |")
    print(f"\nworking tree / {args.against}: {totals['working tree'] / totals[args.against]:.2f}")


if __name__ == "__main__":
    main()
