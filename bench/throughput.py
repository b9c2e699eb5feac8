"""Throughput and latency of the `make serve` set-up on loopback, measured with wrk.

Usage: .venv/bin/python bench/throughput.py [--duration 10] [--connections 16] [--rounds 3]

Starts gunicorn exactly as `make serve` does (DEBUG off, WEB_CONCURRENCY=2 sync workers,
whitenoise, the shared file cache) on a free loopback port, with a throwaway SQLite database
holding the demo. Static reference files of the same byte size as the page and the export are
written into STATIC_ROOT before the server starts. A second server, the same but without a
cache (CACHE_URL=dummycache://), renders the page afresh for every anonymous reader: the
uncached figures come from it, each against a static file served by the same server in the
same round. Every target is measured once per round and the rounds are interleaved, so each
page/static ratio compares runs made under the same load.
Prints a Markdown table and writes bench/results/http-<time>.json (not committed).
"""

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from statistics import median

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = BASE_DIR / ".venv" / "bin" / "python"
GUNICORN = BASE_DIR / ".venv" / "bin" / "gunicorn"
SLUG = "shoigu-pyongyang-2025"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, headers=None, context=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30, context=context) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:  # 304 and errors alike
        return error.code, dict(error.headers), b""


class Server:
    """gunicorn as `make serve` starts it, stopped by its PID.

    Given a (certificate, key) pair of files, it serves https itself, as a TLS-terminating
    proxy would in production.
    """

    def __init__(self, environment, log_path, certificate=None):
        self.environment = environment
        self.port = free_port()
        self.log = open(log_path, "a")  # noqa: SIM115 (kept open while the server runs)
        self.process = None
        self.certificate = certificate
        self.context = ssl.create_default_context(cafile=certificate[0]) if certificate else None

    @property
    def url(self):
        if self.certificate:
            return f"https://localhost:{self.port}"
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        tls = []
        if self.certificate:
            tls = ["--certfile", str(self.certificate[0]), "--keyfile", str(self.certificate[1])]
        self.process = subprocess.Popen(
            [str(GUNICORN), "briefing.wsgi", "--bind", f"127.0.0.1:{self.port}"]
            + ["--access-logfile", "-", *tls],
            cwd=BASE_DIR,
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(100):
            try:
                if fetch(self.url + "/healthz", context=self.context)[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start; see the log")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


def demo_environment(workdir, cache_url=None):
    """`make serve`'s environment with a throwaway database holding the demo, set up."""
    environment = {
        **os.environ,
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "CACHE_URL": cache_url or f"filecache://{workdir / 'cache'}",
        "WEB_CONCURRENCY": "2",
        "LOG_LEVEL": "WARNING",
    }
    manage = [str(PYTHON), "manage.py"]
    for command in (["migrate", "--noinput"], ["loaddata", "demo"], ["collectstatic", "--noinput"]):
        subprocess.run(
            manage + command + ["--verbosity", "0"], cwd=BASE_DIR, env=environment, check=True
        )
    return environment


def editor_cookie_header(server, environment):
    """A Cookie header of a logged-in editor: the only requests that skip the page cache."""
    accounts = subprocess.run(
        [str(PYTHON), "manage.py", "ensure_demo_accounts"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    password = re.search(r"username: demo-editor\s+password: (\S+)", accounts).group(1)
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = server.url + "/admin/login/"
    form = browser.open(login_url).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = {"csrfmiddlewaretoken": token, "username": "demo-editor", "password": password}
    browser.open(login_url, urllib.parse.urlencode(data).encode())
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise RuntimeError("the demo editor could not log in")
    return "Cookie: " + "; ".join(f"{name}={value}" for name, value in cookies.items())


def wrk(url, duration, connections, headers=()):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": to_ms(latency["50"]),
        "p99_ms": to_ms(latency["99"]),
        "non_2xx_3xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def to_ms(value):
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def machine():
    def run(*command):
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "unknown"

    versions = run(
        str(PYTHON),
        "-c",
        "import sys; from importlib.metadata import version as v; "
        'print(f\'Python {sys.version.split()[0]}, Django {v("django")}, '
        'gunicorn {v("gunicorn")}, whitenoise {v("whitenoise")}\')',
    )
    cpu = re.search(r"Model name:\s+(.*)", run("lscpu"))
    return {
        "cpu": cpu.group(1) if cpu else "unknown",
        "cores": os.cpu_count(),
        "kernel": run("uname", "-r"),
        "software": versions,
        "wrk": run("wrk", "--version").splitlines()[0] if shutil.which("wrk") else "missing",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cache-url", help="CACHE_URL (default: make serve's file cache)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="briefing-bench-"))
    environment = demo_environment(workdir, args.cache_url)

    page_path = f"/briefings/{SLUG}/"
    export_path = f"/briefings/{SLUG}.json"
    log_path = workdir / "gunicorn.log"
    # A first server only to learn the byte sizes the reference files must have.
    with Server(environment, log_path) as server:
        _, page_headers, page = fetch(server.url + page_path)
        _, _, export = fetch(server.url + export_path)
    static_root = BASE_DIR / "staticfiles" / "bench"
    static_root.mkdir(parents=True, exist_ok=True)
    (static_root / "page-size.html").write_bytes(page)
    (static_root / "export-size.json").write_bytes(export)

    etag = page_headers["ETag"]
    # (server, path, headers): "cached" is make serve's set-up, "cacheless" the same without a
    # cache, where every anonymous request renders the page from its edition.
    targets = {
        "static file, page size": ("cached", "/static/bench/page-size.html", ()),
        "page, cache warm": ("cached", page_path, ()),
        "page, an editor's fresh render": ("cached", page_path, ("editor",)),
        "page, conditional GET → 304": ("cached", page_path, (f"If-None-Match: {etag}",)),
        "static file, page size, server without cache": (
            "cacheless",
            "/static/bench/page-size.html",
            (),
        ),
        "page, uncached (fresh render), server without cache": ("cacheless", page_path, ()),
        "static file, export size": ("cached", "/static/bench/export-size.json", ()),
        "export, cache warm": ("cached", export_path, ()),
        "export, an editor's fresh render": ("cached", export_path, ("editor",)),
    }
    results = {name: [] for name in targets}
    cacheless_environment = {**environment, "CACHE_URL": "dummycache://"}
    try:
        with (
            Server(environment, log_path) as cached,
            Server(cacheless_environment, log_path) as cacheless,
        ):
            servers = {"cached": cached, "cacheless": cacheless}
            editor = editor_cookie_header(cached, environment)  # editors skip the cache
            for name, (server_name, path, headers) in targets.items():
                if headers == ("editor",):
                    targets[name] = (server_name, path, (editor,))
            for server_name, path, headers in targets.values():  # warm caches and workers
                fetch(servers[server_name].url + path, dict(h.split(": ", 1) for h in headers))
            for round_number in range(args.rounds):
                for name, (server_name, path, headers) in targets.items():
                    url = servers[server_name].url + path
                    result = wrk(url, args.duration, args.connections, headers)
                    results[name].append(result)
                    print(f"round {round_number + 1} {name}: {result}", file=sys.stderr)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)

    summary = {
        name: {
            "rps": median(r["rps"] for r in runs),
            "p50_ms": median(r["p50_ms"] for r in runs),
            "p99_ms": median(r["p99_ms"] for r in runs),
            "errors": sum(r["non_2xx_3xx"] for r in runs if "304" not in name),
            "rps_runs": [r["rps"] for r in runs],
        }
        for name, runs in results.items()
    }
    # Ratio to the static file of the same size from the same server, round by round, then the
    # median.
    for name, runs in results.items():
        if name.startswith("static"):
            static = runs  # the reference itself
        elif name.endswith("server without cache"):
            static = results["static file, page size, server without cache"]
        elif name.startswith("export"):
            static = results["static file, export size"]
        else:
            static = results["static file, page size"]
        summary[name]["ratio_to_static"] = median(
            r["rps"] / s["rps"] for r, s in zip(runs, static, strict=True)
        )

    report = {
        "machine": machine(),
        "command": " ".join(sys.argv),
        "duration_s": args.duration,
        "connections": args.connections,
        "rounds": args.rounds,
        "cache_url": environment["CACHE_URL"].replace(str(workdir), "$TMP"),
        "page_bytes": len(page),
        "export_bytes": len(export),
        "results": summary,
    }
    out = BASE_DIR / "bench" / "results" / f"http-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))

    print(
        f"\n{report['machine']}\npage {len(page)} bytes, export {len(export)} bytes, "
        f"cache {report['cache_url']}, wrk -t2 -c{args.connections} -d{args.duration}s, "
        f"median of {args.rounds} interleaved rounds\n"
    )
    print("| target | requests/s | p50 | p99 | ratio to static of same size | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, row in summary.items():
        print(
            f"| {name} | {row['rps']:.0f} | {row['p50_ms']:.2f} ms | {row['p99_ms']:.2f} ms "
            f"| {row['ratio_to_static']:.2f} | {row['errors']} |"
        )
    print(f"\nwritten to {out.relative_to(BASE_DIR)}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
