"""Page weight of the demo briefing as Chromium loads it from the `make serve` set-up.

Usage: .venv/bin/python bench/weight.py

Starts gunicorn as bench/throughput.py does, opens the demo page in Debian's Chromium
(Playwright) and records every request the page makes: its type, its bytes as served (the HTML
comes uncompressed from Django: a production proxy compresses it; whitenoise serves static
files precompressed) and compressed with gzip level 6, and whether it leaves the site.
Prints a Markdown table, then the page's height as a reader meets it (takeaways closed) at
1280 and 375 px wide, and the number of A4 pages it prints on.
"""

import gzip
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright
from throughput import SLUG, Server, demo_environment

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
KINDS = {"document": "HTML", "stylesheet": "CSS", "script": "JS"}


def main():
    workdir = Path(tempfile.mkdtemp(prefix="briefing-weight-"))
    environment = demo_environment(workdir)
    with Server(environment, workdir / "gunicorn.log") as server:
        url = f"{server.url}/briefings/{SLUG}/"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            page = browser.new_page()
            finished = []
            page.on("requestfinished", lambda request: finished.append(request))
            page.on("requestfailed", lambda request: finished.append(request))
            page.goto(url, wait_until="networkidle")
            rows = []
            for request in finished:
                response = request.response()
                body = response.body() if response else b""
                rows.append(
                    {
                        "url": request.url,
                        "kind": "icon"
                        if "favicon" in request.url
                        else KINDS.get(request.resource_type, request.resource_type),
                        "status": response.status if response else "failed",
                        "raw": len(body),
                        "gzip": len(gzip.compress(body, 6)),
                        "transferred": request.sizes()["responseBodySize"],
                        "third_party": urlsplit(request.url).netloc != urlsplit(url).netloc,
                    }
                )
            heights = {}
            for width in (1280, 375):
                sized = browser.new_page(viewport={"width": width, "height": 800})
                sized.goto(url)
                heights[width] = sized.evaluate("document.documentElement.scrollHeight")
                sized.close()
            printed = browser.new_page()
            printed.goto(url)
            pdf = printed.pdf(format="A4", prefer_css_page_size=True)
            print_pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
            browser.close()
    shutil.rmtree(workdir, ignore_errors=True)

    print("| request | type | status | raw | gzip -6 | as served |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        path = urlsplit(row["url"]).path
        print(
            f"| {path} | {row['kind']} | {row['status']} | {row['raw']:,} | {row['gzip']:,} "
            f"| {row['transferred']:,} |"
        )
    totals = defaultdict(lambda: [0, 0])
    for row in rows:
        totals[row["kind"]][0] += row["raw"]
        totals[row["kind"]][1] += row["gzip"]
    print("\n| type | raw | gzip -6 |\n| --- | ---: | ---: |")
    for kind in ("HTML", "CSS", "JS", *sorted(set(totals) - {"HTML", "CSS", "JS"})):
        raw, compressed = totals.get(kind, (0, 0))
        print(f"| {kind} | {raw:,} | {compressed:,} |")
    print(
        f"| total | {sum(r['raw'] for r in rows):,} | {sum(r['gzip'] for r in rows):,} |\n\n"
        f"requests: {len(rows)}; third-party requests: {sum(r['third_party'] for r in rows)}"
    )
    print(
        f"\npage height at 1280 px: {heights[1280]:,} px; at 375 px: {heights[375]:,} px; "
        f"printed: {print_pages} A4 pages"
    )


if __name__ == "__main__":
    sys.exit(main())
