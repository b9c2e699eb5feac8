"""Uncached server time of the demo page: CPU and wall time of one render, and its queries.

Usage: .venv/bin/python bench/render.py [--runs 50]

Loads fixtures/demo.json into a throwaway SQLite database and requests the demo page through
Django's test client with DEBUG off and no cache (CACHE_URL=dummycache://), so every request
renders. Reports the median and the best of --runs requests after a warm-up: process CPU time,
wall time and the query count. It runs on any version of the project that serves the demo at
/briefings/shoigu-pyongyang-2025/, so that two versions can be compared on the same machine.
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
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("loaddata", "demo", verbosity=0)
    client = Client()
    assert client.get(URL).status_code == 200  # warm-up: templates, connection
    cpu, wall = [], []
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as queries:
            start_cpu, start_wall = time.process_time(), time.perf_counter()
            response = client.get(URL)
            cpu.append((time.process_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start_wall) * 1000)
        assert response.status_code == 200
    print(
        f"demo page, {args.runs} uncached requests: CPU median {median(cpu):.1f} ms "
        f"(best {min(cpu):.1f}), wall median {median(wall):.1f} ms (best {min(wall):.1f}), "
        f"{len(queries)} queries, {len(response.content):,} bytes"
    )


if __name__ == "__main__":
    main()
