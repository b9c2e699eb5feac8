"""Server time and query count of the briefing page and export at 1x, 10x and 100x the demo.

Usage: .venv/bin/python bench/scale.py [--runs 5] [--scales 1 10 100]

Builds, with the test factories, one briefing per scale whose counts of paragraphs, actors,
sources, events, participations, claims (with their actors and events) and takeaways are that
multiple of the demo's, in a throwaway SQLite database (or DATABASE_URL if set). Each page is
requested through Django's test client with DEBUG off and no cache (CACHE_URL=dummycache://),
so every request renders; the time is the median of --runs requests after one warm-up, the
query count comes from CaptureQueriesContext. Prints a Markdown table.
"""

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

# The demo's shape (fixtures/demo.json): per briefing.
DEMO = {
    "paragraphs": 12,
    "actors": 24,
    "sources": 6,
    "events": 13,
    "participations_per_event": 3,
    "claims": 31,
    "actors_per_claim": 3,
    "takeaways": 5,
    "claims_per_takeaway": 6,
}


def configure():
    workdir = tempfile.mkdtemp(prefix="briefing-scale-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="briefing.settings",
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        CACHE_URL="dummycache://",
        LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/scale.sqlite3")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name is allowed
    call_command("migrate", verbosity=0)


def build(scale):
    """A published briefing with `scale` times the demo's content."""
    from django.db import transaction

    from tests import factories

    with transaction.atomic():
        briefing = factories.BriefingFactory(slug=f"scale-{scale}x", title=f"Scale {scale}x")
        paragraphs = [
            factories.ParagraphFactory(briefing=briefing, number=n + 1)
            for n in range(DEMO["paragraphs"] * scale)
        ]
        actors = [factories.ActorFactory() for _ in range(DEMO["actors"] * scale)]
        sources = [
            factories.SourceFactory(affiliation=actors[n % len(actors)])
            for n in range(DEMO["sources"] * scale)
        ]
        events = []
        for n in range(DEMO["events"] * scale):
            event = factories.EventFactory(briefing=briefing)
            for k in range(DEMO["participations_per_event"]):
                factories.ParticipationFactory(event=event, actor=actors[(n + k) % len(actors)])
            events.append(event)
        claims = []
        for n in range(DEMO["claims"] * scale):
            claim = factories.ClaimFactory(
                briefing=briefing,
                order=n + 1,
                source=sources[n % len(sources)],
                claimant=actors[n % len(actors)],
                paragraph=paragraphs[n % len(paragraphs)],
            )
            claim.actors.add(
                *(actors[(n + k) % len(actors)] for k in range(DEMO["actors_per_claim"]))
            )
            claim.events.add(events[n % len(events)])
            claims.append(claim)
        for n in range(DEMO["takeaways"] * scale):
            takeaway = factories.TakeawayFactory(briefing=briefing, order=n + 1)
            takeaway.claims.add(
                *(claims[(n * 6 + k) % len(claims)] for k in range(DEMO["claims_per_takeaway"]))
            )
        factories.publish_edition(briefing)
    return briefing


def measure(client, url, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up: template compilation, connection
    assert response.status_code == 200, (url, response.status_code)
    times, counts = [], set()
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        counts.add(len(queries))
    return median(times), sorted(counts), len(response.content)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    args = parser.parse_args()
    configure()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    client = Client()
    rows = []
    for scale in args.scales:
        start = time.perf_counter()
        briefing = build(scale)
        print(f"built {scale}x in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        for name, url_name in (("page", "briefing:detail"), ("export", "briefing:export")):
            url = reverse(url_name, kwargs={"slug": briefing.slug})
            ms, counts, size = measure(client, url, args.runs)
            rows.append((name, scale, ms, counts, size))
            print(rows[-1], file=sys.stderr)

    print(f"\n{connection.vendor} database, median of {args.runs} requests after a warm-up\n")
    print("| what | scale | server time | queries | bytes | time / 1x time |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    base = {name: ms for name, scale, ms, _, _ in rows if scale == args.scales[0]}
    for name, scale, ms, counts, size in rows:
        queries = "/".join(map(str, counts))
        print(f"| {name} | {scale}x | {ms:.1f} ms | {queries} | {size:,} | {ms / base[name]:.1f} |")


if __name__ == "__main__":
    main()
