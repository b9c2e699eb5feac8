"""A single client flooding the `make serve` set-up with cache-busting requests, and what a
normal reader waits meanwhile.

Usage: .venv/bin/python bench/flood.py [--duration 8] [--connections 8] [--rounds 2]

Starts gunicorn as `make serve` does (via bench/throughput.py: DEBUG off, 2 sync workers, the
shared file cache, a throwaway SQLite database holding the demo), behind a pretend proxy
(TRUST_PROXY_HEADERS=true) so that the flooding client and the reader have addresses of their
own. Each round measures the reader alone, then the reader during each flood: wrk (one client,
`--connections` connections) sends the demo page with a new junk query parameter, a new
made-up `sessionid` cookie, or a new unknown `?actor=` on every request; and, as the reference,
the same flood of a static file of the page's size. The reader fetches the page and that static
file in turn, one request at a time, the whole while.
Prints a Markdown table and writes bench/results/flood-<time>.json (not committed).
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median, quantiles

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import (  # noqa: E402 (the bench directory is not a package)
    BASE_DIR,
    SLUG,
    Server,
    demo_environment,
    fetch,
    machine,
)

FLOOD_ADDRESS = "203.0.113.66"
READER_ADDRESS = "198.51.100.7"
PAGE_PATH = f"/briefings/{SLUG}/"
STATIC_PATH = "/static/bench/page-size.html"

# wrk request generators: a new value on every request, as a cache-busting flood sends. The
# first floods the static file of the page's size: the reference for the floods' requests/s.
STATIC_FLOOD = "static file of the page's size, junk query parameter (reference)"
FLOODS = {
    STATIC_FLOOD: 'wrk.format("GET", "{static}?utm_source=" .. n)',
    "junk query parameter": 'wrk.format("GET", "{path}?utm_source=" .. n)',
    "made-up session cookie": 'wrk.format("GET", "{path}", {{["Cookie"] = "sessionid=x" .. n}})',
    "unknown ?actor=": 'wrk.format("GET", "{path}?actor=nobody-" .. n)',
}


def flood_script(workdir, name):
    script = workdir / f"flood-{list(FLOODS).index(name)}.lua"
    body = FLOODS[name].format(path=PAGE_PATH, static=STATIC_PATH)
    script.write_text(
        "math.randomseed(os.time())\n"
        "request = function()\n"
        "  local n = math.random(1, 1000000000)\n"
        f"  return {body}\n"
        "end\n"
    )
    return script


def wrk_flood(url, duration, connections, script):
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s", str(script)]
    command += ["-H", f"X-Forwarded-For: {FLOOD_ADDRESS}", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


def read_while(url, stop):
    """The normal reader: page, static file, page... until `stop`; latencies in ms."""
    latencies = {"page": [], "static": [], "statuses": []}
    headers = {"X-Forwarded-For": READER_ADDRESS}
    while not stop.is_set():
        for kind, path in (("page", PAGE_PATH), ("static", STATIC_PATH)):
            started = time.perf_counter()
            status, _, _ = fetch(url + path, headers)
            latencies[kind].append((time.perf_counter() - started) * 1000)
            latencies["statuses"].append(status)
    return latencies


def p95(values):
    return quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def measure(server, duration, connections, workdir, flood=None):
    stop = threading.Event()
    result = {}

    def reader():
        result.update(read_while(server.url, stop))

    thread = threading.Thread(target=reader)
    thread.start()
    if flood:
        script = flood_script(workdir, flood)
        result["flood"] = wrk_flood(server.url + PAGE_PATH, duration, connections, script)
    else:
        time.sleep(duration)
    stop.set()
    thread.join()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per flood")
    parser.add_argument("--connections", type=int, default=8, help="the flood's connections")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="briefing-flood-"))
    environment = demo_environment(workdir)
    environment["TRUST_PROXY_HEADERS"] = "true"
    log_path = workdir / "gunicorn.log"
    with Server(environment, log_path) as server:
        _, _, page_body = fetch(server.url + PAGE_PATH)
    static_root = BASE_DIR / "staticfiles" / "bench"
    static_root.mkdir(parents=True, exist_ok=True)
    (static_root / "page-size.html").write_bytes(page_body)

    phases = ["no flood", *FLOODS]
    runs = {phase: [] for phase in phases}
    try:
        with Server(environment, log_path) as server:
            fetch(server.url + PAGE_PATH)  # warm the cache
            for round_number in range(args.rounds):
                for phase in phases:
                    flood = None if phase == "no flood" else phase
                    run = measure(server, args.duration, args.connections, workdir, flood)
                    runs[phase].append(run)
                    print(
                        f"round {round_number + 1} {phase}: reader page median "
                        f"{median(run['page']):.1f} ms, flood {run.get('flood')}",
                        file=sys.stderr,
                    )
    finally:
        shutil.rmtree(static_root, ignore_errors=True)

    summary = {}
    for phase, phase_runs in runs.items():
        page = [ms for run in phase_runs for ms in run["page"]]
        static = [ms for run in phase_runs for ms in run["static"]]
        floods = [run["flood"] for run in phase_runs if "flood" in run]
        summary[phase] = {
            "flood_rps": median(f["rps"] for f in floods) if floods else None,
            "flood_non_2xx": sum(f["non_2xx_3xx"] for f in floods) if floods else None,
            "flood_requests": sum(f["requests"] for f in floods) if floods else None,
            "reader_requests": len(page) + len(static),
            "reader_errors": sum(
                1 for run in phase_runs for status in run["statuses"] if status != 200
            ),
            "page_p50_ms": median(page),
            "page_p95_ms": p95(page),
            "static_p50_ms": median(static),
            "static_p95_ms": p95(static),
            "page_to_static_p50": median(page) / median(static),
        }
    # The floods' requests/s against the static file's flood, round by round, then the median.
    reference = [run["flood"]["rps"] for run in runs[STATIC_FLOOD]]
    for phase in FLOODS:
        summary[phase]["flood_to_static_rps"] = median(
            run["flood"]["rps"] / static_rps
            for run, static_rps in zip(runs[phase], reference, strict=True)
        )

    report = {
        "machine": machine(),
        "command": " ".join(sys.argv),
        "duration_s": args.duration,
        "connections": args.connections,
        "rounds": args.rounds,
        "page_bytes": len(page_body),
        "results": summary,
    }
    out = BASE_DIR / "bench" / "results" / f"flood-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))

    print(
        f"\n{report['machine']}\npage {len(page_body)} bytes; flood: wrk -t1 -c{args.connections} "
        f"-d{args.duration}s from one address; {args.rounds} rounds\n"
    )
    print(
        "| flood | flood requests/s | ÷ static flood | flood non-2xx | reader: page p50 / p95 "
        "| reader: static file p50 / p95 | page p50 ÷ static p50 | reader errors |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for phase, row in summary.items():
        rps = f"{row['flood_rps']:.0f}" if row["flood_rps"] is not None else "—"
        refused = (
            f"{row['flood_non_2xx']} of {row['flood_requests']}"
            if row["flood_rps"] is not None
            else "—"
        )
        ratio = row.get("flood_to_static_rps")
        ratio = f"{ratio:.3f}" if ratio is not None else "—"
        print(
            f"| {phase} | {rps} | {ratio} | {refused} | {row['page_p50_ms']:.1f} / "
            f"{row['page_p95_ms']:.1f} ms | {row['static_p50_ms']:.1f} / "
            f"{row['static_p95_ms']:.1f} ms | {row['page_to_static_p50']:.2f} "
            f"| {row['reader_errors']} |"
        )
    print(f"\nwritten to {out.relative_to(BASE_DIR)}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
