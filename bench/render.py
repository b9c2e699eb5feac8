"""Uncached server time of the demo page: CPU and wall time of one render, and its queries.

Usage: .venv/bin/python bench/render.py [--runs 50]

Loads fixtures/demo.json into a throwaway SQLite database and requests the demo page through
Django's test client with DEBUG off and no cache (CACHE_URL=dummycache://), so every request
renders. Reports the median and the best of --runs requests after a warm-up: process CPU time,
wall time and the query count. It runs on any version of the project that serves the demo at
/briefings/shoigu-pyongyang-2025/, so that two versions can be compared on the same machine.

Two figures, measured alternately: the render from the edition (the page's view called
directly: its queries, the page built from the document, the template) and the whole request
(the same through every middleware and the test client).
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
URL = "/briefings/shoigu-pyongyang-2025/"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="briefing-render-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="briefing.settings",
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        CACHE_URL="dummycache://",
        LOG_LEVEL="WARNING",
        DATABASE_URL=f"sqlite:///{workdir}/render.sqlite3",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import resolve

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("loaddata", "demo", verbosity=0)
    client = Client()
    assert client.get(URL).status_code == 200  # warm-up: templates, connection
    match = resolve(URL)
    requests = RequestFactory()

    def view():
        return match.func(requests.get(URL), *match.args, **match.kwargs)

    figures = {"render from the edition (the view)": view, "whole request": lambda: client.get(URL)}
    cpu = {name: [] for name in figures}
    wall = {name: [] for name in figures}
    query_count = {}
    for _ in range(args.runs):
        for name, get in figures.items():
            with CaptureQueriesContext(connection) as queries:
                start_cpu, start_wall = time.process_time(), time.perf_counter()
                response = get()
                cpu[name].append((time.process_time() - start_cpu) * 1000)
                wall[name].append((time.perf_counter() - start_wall) * 1000)
            assert response.status_code == 200
            query_count[name] = len(queries)
    print(f"demo page, {args.runs} uncached renders, {len(response.content):,} bytes:")
    for name in figures:
        print(
            f"  {name}: CPU median {median(cpu[name]):.1f} ms (best {min(cpu[name]):.1f}), "
            f"wall median {median(wall[name]):.1f} ms (best {min(wall[name]):.1f}), "
            f"{query_count[name]} queries"
        )


if __name__ == "__main__":
    main()
