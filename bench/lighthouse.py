"""Lighthouse scores of the reader's pages, served over https by the `make serve` set-up.

Usage: .venv/bin/python bench/lighthouse.py [--runs 3] [--lighthouse PATH] [--keep-reports DIR]
                                            [--tasks]

Lighthouse 12 runs offline from npm, installed outside the repository (version 13 needs a newer
Node than the machine's):

    mkdir -p /work/tools/lighthouse && cd /work/tools/lighthouse && npm install -E lighthouse@12.2.3

Its binary is taken from --lighthouse, else the LIGHTHOUSE environment variable, else
/work/tools/lighthouse/node_modules/.bin/lighthouse. It drives Debian's Chromium
(CHROME_PATH=/usr/bin/chromium unless set).

Starts gunicorn as bench/throughput.py does (DEBUG off, HTTPS on, the demo in a throwaway SQLite
database) with a throwaway self-signed certificate for localhost, so the https-only audits
apply. Fetches each page once, so the page cache is warm as readers meet it, then runs
Lighthouse on the demo briefing, one of its claim pages and the index, once as a phone
(Lighthouse's default) and once with --preset=desktop, --runs times, interleaved. The
performance score varies with the machine's load (Lighthouse simulates a slow phone from the
work it measures): the run of median performance is reported, as Lighthouse's docs advise.
A reference runs in the same rounds: a page of a heading and a sentence, no stylesheet, no
icon, served as a static file by the same server. What it loses is the machine's floor (the
browser's own start-up work under the 4x slowdown), not anything a page did.
Prints a Markdown table of the four category scores per page and preset, then every audit of
that run that scored below 1, with the elements or items it names.

With --tasks, Lighthouse also saves each run's trace, and a second table gives, for each phone
run, its first paint as the browser really made it (before Lighthouse's slowdown and simulated
network) and what its blocking time is made of on a page without script: the task of the page's
first real layout (style, layout and often paint in one task) and the long tasks before it
(mostly the navigation's commit, where Chromium creates the script contexts DevTools asks for).
Lighthouse replays a task that lays out at twice its length, the others at four times.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from throughput import BASE_DIR, SLUG, Server, demo_environment, fetch

CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
DEFAULT_LIGHTHOUSE = "/work/tools/lighthouse/node_modules/.bin/lighthouse"
PAGES = {
    "briefing": f"/briefings/{SLUG}/",
    "claim": f"/briefings/{SLUG}/claims/8/",
    "index": "/",
    "reference": "/static/bench/lighthouse-reference.html",
}
REFERENCE_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reference page</title>
<meta name="description" content="A page of a heading and a sentence, to measure against.">
<link rel="icon" href="data:,">
</head>
<body>
<main><h1>Reference page</h1><p>A heading and a sentence, and nothing else.</p></main>
</body>
</html>
"""
PRESETS = {"mobile": [], "desktop": ["--preset=desktop"]}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--ignore-certificate-errors",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def self_signed_certificate(folder):
    """A throwaway certificate and key for localhost, made with openssl."""
    certificate, key = folder / "localhost.crt", folder / "localhost.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        + ["-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    return certificate, key


def run_lighthouse(lighthouse, url, preset_flags, output, attempts=3, save_trace=False):
    """Lighthouse's JSON report of the page; a run that fails to record its trace is retried.

    With save_trace, Lighthouse also writes the run's trace beside the report (`trace_path`)."""
    environment = {**os.environ, "CHROME_PATH": CHROMIUM}
    command = [lighthouse, url, "--output=json", f"--output-path={output}", "--quiet"]
    command += [f"--chrome-flags={' '.join(CHROME_FLAGS)}", *preset_flags]
    if save_trace:
        command.append("--save-assets")
    for attempt in range(1, attempts + 1):
        # Now and then Chromium's trace misses the navigation (NO_NAVSTART) on a loaded machine.
        if subprocess.run(command, env=environment).returncode == 0:
            return json.loads(output.read_text())
        print(f"Lighthouse failed on {url} (attempt {attempt} of {attempts})", file=sys.stderr)
    raise RuntimeError(f"Lighthouse failed {attempts} times on {url}")


def trace_path(report_path):
    """Where `lighthouse --save-assets` writes the trace of the report at report_path."""
    return report_path.with_name(f"{report_path.stem}-0.trace.json")


def first_layout_tasks(trace_file, url):
    """(ms of the task holding the page's first real layout, ms of the long tasks before it).

    The page's main thread is the one that parsed `url`; a long task is one of 10 ms or more,
    the length from which Lighthouse's simulator keeps a task of its own. The page's first
    layout is the first in its frame once its parsing has begun: the empty document Chromium
    starts with has layouts of its own.
    """
    events = json.loads(trace_file.read_text())
    events = events["traceEvents"] if isinstance(events, dict) else events
    parses = [
        e
        for e in events
        if e.get("name") == "ParseHTML" and e["args"]["beginData"].get("url") == url
    ]
    if not parses:
        return None, None
    thread = (parses[0]["pid"], parses[0]["tid"])
    start = min(
        (
            e["ts"]
            for e in events
            if e.get("name") == "navigationStart"
            and e["pid"] == thread[0]
            and e["args"].get("data", {}).get("documentLoaderURL") == url
        ),
        default=parses[0]["ts"],
    )
    on_thread = [
        e
        for e in events
        if (e.get("pid"), e.get("tid")) == thread and e.get("ph") == "X" and e["ts"] >= start
    ]
    tasks = sorted((e for e in on_thread if e["name"] == "RunTask"), key=lambda e: e["ts"])
    frame = parses[0]["args"]["beginData"].get("frame")
    layouts = [
        e
        for e in on_thread
        if e["name"] == "Layout"
        and e["ts"] >= parses[0]["ts"]
        and e["args"].get("beginData", {}).get("frame") == frame
    ]
    if not layouts:
        return None, None
    first_layout = min(layouts, key=lambda e: e["ts"])
    task = next(
        (t for t in tasks if t["ts"] <= first_layout["ts"] < t["ts"] + t["dur"]), first_layout
    )
    before = sum(t["dur"] for t in tasks if t["ts"] < task["ts"] and t["dur"] >= 10_000)
    return task["dur"] / 1000, before / 1000


def observed_first_paint(report):
    """The first contentful paint in the run itself, ms after navigation, unslowed."""
    details = report["audits"]["metrics"].get("details")
    return details["items"][0]["observedFirstContentfulPaint"] if details else None


def category_scores(report):
    return {
        name: "–"
        if report["categories"][name]["score"] is None
        else round(report["categories"][name]["score"] * 100)
        for name in CATEGORIES
    }


def blocking_time(report):
    """Total Blocking Time in ms: on a page without script, what moves the phone's score."""
    return report["audits"]["total-blocking-time"]["numericValue"]


def describe_item(item):
    """One line for an item of an audit's details: the element it names, else its URL or text."""
    node = item.get("node") or {}
    if node.get("type") == "node":
        text = node.get("selector") or node.get("snippet", "")
        if node.get("nodeLabel"):
            text += f" “{node['nodeLabel'][:60]}”"
        return text
    for key in ("url", "source", "description", "label", "value"):
        value = item.get(key)
        if isinstance(value, str) and value:
            return value[:120]
        if isinstance(value, dict):
            return str(value.get("url") or value.get("value") or json.dumps(value))[:120]
    return json.dumps(item)[:120]


def failing_audits(report):
    """The audits counted in a category that scored below 1, with what they name."""
    counted = {
        ref["id"] for category in report["categories"].values() for ref in category["auditRefs"]
    }
    failing = []
    for audit_id, audit in report["audits"].items():
        score = audit.get("score")
        if audit_id not in counted or score is None or score >= 1:
            continue
        if audit.get("scoreDisplayMode") in ("notApplicable", "manual", "informative"):
            continue
        items = (audit.get("details") or {}).get("items") or []
        named = [describe_item(item) for item in items[:8]]
        failing.append(
            {
                "id": audit_id,
                "title": audit["title"],
                "score": score,
                "display": audit.get("displayValue", ""),
                "items": named,
                "more": max(0, len(items) - len(named)),
            }
        )
    return failing


def measure(lighthouse, rounds, environment, certificate, workdir, runs, tasks=None):
    """Fills `runs` with each page's and preset's reports, the rounds interleaved.

    Given a dict `tasks`, also fills it with each phone run's first_layout_tasks()."""
    with Server(environment, workdir / "gunicorn.log", certificate) as server:
        for path in PAGES.values():  # readers meet the page cache warm, as in bench/throughput.py
            status = fetch(server.url + path, context=server.context)[0]
            if status != 200:
                sys.exit(f"{path} answered {status}")
        for round_number in range(rounds):  # interleaved, so a busy moment hits every page
            for page, preset in runs:
                output = workdir / f"{page}-{preset}-{round_number + 1}.json"
                save_trace = tasks is not None and preset == "mobile"
                report = run_lighthouse(
                    lighthouse, server.url + PAGES[page], PRESETS[preset], output, 3, save_trace
                )
                runs[page, preset].append(report)
                if save_trace:
                    figures = first_layout_tasks(trace_path(output), report["finalDisplayedUrl"])
                    tasks.setdefault(page, []).append(
                        (blocking_time(report), observed_first_paint(report), *figures)
                    )
                print(f"{output.name}: {category_scores(report)}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--lighthouse", default=os.environ.get("LIGHTHOUSE", DEFAULT_LIGHTHOUSE), help="binary"
    )
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page and preset")
    parser.add_argument("--keep-reports", type=Path, help="copy Lighthouse's JSON reports here")
    parser.add_argument(
        "--tasks", action="store_true", help="save the phone runs' traces and read their tasks"
    )
    args = parser.parse_args()
    if not Path(args.lighthouse).exists():
        sys.exit(f"no Lighthouse at {args.lighthouse}: see the docstring of {__file__}")

    workdir = Path(tempfile.mkdtemp(prefix="briefing-lighthouse-"))
    environment = demo_environment(workdir)
    environment["HTTPS"] = "true"  # gunicorn serves https: Secure cookies, HSTS, no redirect loop
    certificate = self_signed_certificate(workdir)
    runs = {(page, preset): [] for page in PAGES for preset in PRESETS}
    tasks = {} if args.tasks else None
    # Written before the server starts: whitenoise indexes its files then.
    reference = BASE_DIR / "staticfiles" / PAGES["reference"].removeprefix("/static/")
    reference.parent.mkdir(parents=True, exist_ok=True)
    reference.write_text(REFERENCE_PAGE)
    try:
        measure(args.lighthouse, args.runs, environment, certificate, workdir, runs, tasks)
    finally:
        reference.unlink(missing_ok=True)
    if args.keep_reports:
        args.keep_reports.mkdir(parents=True, exist_ok=True)
        for report in workdir.glob("*-*-*.json"):  # with --tasks, the traces too
            shutil.copy(report, args.keep_reports)

    # The run of median performance, as Lighthouse advises for a score that varies with load.
    median_runs = {
        key: sorted(reports, key=lambda r: r["categories"]["performance"]["score"])[
            len(reports) // 2
        ]
        for key, reports in runs.items()
    }
    version = subprocess.run(
        [args.lighthouse, "--version"], capture_output=True, text=True
    ).stdout.strip()
    chromium = (
        subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1:]
    )
    print(f"\nLighthouse {version}, {' '.join(chromium)}\n")
    print(f"Median run of {args.runs} by performance; every run's figure in brackets.\n")
    columns = ["page", "preset", "performance", "blocking time, ms", "accessibility"]
    columns += ["best practices", "SEO"]
    print("| " + " | ".join(columns) + " |")
    print("| --- | --- |" + " ---: |" * (len(columns) - 2))
    for (page, preset), report in median_runs.items():
        scores = category_scores(report)
        every = ", ".join(str(category_scores(r)["performance"]) for r in runs[page, preset])
        blocking = ", ".join(f"{blocking_time(r):.0f}" for r in runs[page, preset])
        cells = " | ".join(str(scores[name]) for name in CATEGORIES[1:])
        print(
            f"| {page} `{PAGES[page]}` | {preset} | {scores['performance']} ({every}) "
            f"| {blocking_time(report):.0f} ({blocking}) | {cells} |"
        )
    print()
    for (page, preset), report in median_runs.items():
        audits = failing_audits(report)
        if not audits:
            continue
        print(f"**{page}, {preset}**\n")
        for audit in audits:
            shown = f" ({audit['display']})" if audit["display"] else ""
            print(f"- `{audit['id']}` {audit['title']}: score {audit['score']:.2f}{shown}")
            for item in audit["items"]:
                print(f"  - {item}")
            if audit["more"]:
                print(f"  - … and {audit['more']} more")
        print()
    if tasks:
        print("Phone runs: blocking time; then, in ms of real time before Lighthouse's slowdown,")
        print("the first paint seen, the page's first layout task, the long tasks before it.\n")
        columns = ["blocking time", "first paint seen", "first layout task", "long tasks before it"]
        print("| page | " + " | ".join(columns) + " |")
        print("| --- |" + " --- |" * len(columns))
        for page, figures in tasks.items():
            cells = [
                ", ".join("–" if value is None else f"{value:.0f}" for value in column)
                for column in zip(*figures, strict=True)
            ]
            print(f"| {page} | " + " | ".join(cells) + " |")
        print()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
