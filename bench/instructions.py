"""CPU instructions of one uncached render of the demo page, counted by valgrind.

Usage: .venv/bin/python bench/instructions.py [--renders 10]

Timings on this machine swing by a factor of two within minutes; an instruction count does not.
Loads the demo into a throwaway SQLite database, then runs a child Python under valgrind's
cachegrind twice: once rendering the page twice (warm-up: templates, connection, lazily loaded
code), once rendering it --renders more times. The difference divided by --renders is the
count for one render of the page's view (its queries, the page objects, the template), without
middleware. Needs valgrind (apt-get install valgrind); takes about a minute. Runs on any
version of the project that serves the demo at /briefings/shoigu-pyongyang-2025/.
"""

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = BASE_DIR / ".venv" / "bin" / "python"
URL = "/briefings/shoigu-pyongyang-2025/"

CHILD = """
import os, sys
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.test import RequestFactory
from django.urls import resolve
match, requests = resolve({url!r}), RequestFactory()
for _ in range(2 + int(sys.argv[1])):
    response = match.func(requests.get({url!r}), *match.args, **match.kwargs)
    assert response.status_code == 200, response.status_code
"""


def instructions(environment, renders):
    result = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
        + [str(PYTHON), "-c", CHILD.format(url=URL), str(renders)],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(result.stderr[-3000:])
    return int(re.search(r"I\s+refs:\s+([\d,]+)", result.stderr).group(1).replace(",", ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("valgrind is missing: apt-get install valgrind")
    workdir = Path(tempfile.mkdtemp(prefix="briefing-instructions-"))
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "briefing.settings",
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CACHE_URL": "dummycache://",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "testserver",  # RequestFactory's host
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        # The same hashes in both runs: dictionaries then do the same work.
        "PYTHONHASHSEED": "0",
    }
    for command in (["migrate"], ["loaddata", "demo"]):
        subprocess.run(
            [str(PYTHON), "manage.py", *command, "--verbosity", "0"],
            cwd=BASE_DIR,
            env=environment,
            check=True,
        )
    warm_up = instructions(environment, 0)
    total = instructions(environment, args.renders)
    per_render = (total - warm_up) / args.renders
    print(f"demo page, render from the edition (the view): {per_render / 1e6:.1f} M instructions")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
