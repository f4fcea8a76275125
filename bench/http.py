"""Pages and API under gunicorn: requests per second and p99 at 10,000 posts and at 1,000,000.

    python -m bench.http [--posts 1000000] [--small 10000] [--gunicorn-workers 3] [--seconds 10]
                         [--connections 8] [--port PORT]

Starts gunicorn (production settings, DEBUG off) on loopback, logs in as the reseller whose
dashboard shows the posts, and loads each path with wrk (Debian's `wrk`, loopback only, for a
fixed duration): /healthz (no database: the ceiling of this server on this machine), the reseller
dashboard /posts/, the client's review inbox /posts/inbox/ and GET /api/posts. It measures with
`--small` posts, seeds up to `--posts` (inside PostgreSQL, see bench.queries.seed_mix) and
measures again; each figure is printed with the load average of the machine at the time.

Targets (issue 16), for each of the three paths at `--posts`: at least 150 requests/s, at least
0.8 of its own rate at `--small`, p99 at most 100 ms; no error answers. Exits 1 on a miss.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

import requests

from . import harness
from .harness import log
from .queries import seed_mix

PATHS = [("trivial view (ceiling)", None, "/healthz"), ("reseller dashboard", "reseller", "/posts/"),
         ("client review inbox", "client", "/posts/inbox/"), ("API post list", "reseller", "/api/posts")]
MIN_RATE, MIN_SCALING, MAX_P99_MS = 150, 0.8, 100


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--gunicorn-workers", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database-url", default=harness.DEFAULT_DATABASE_URL.replace("sh_bench", "sh_bench_http"))
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--port", type=int, default=None,
                        help="gunicorn's port (the X sandbox takes the next one); default: free ports")
    return parser.parse_args(argv)


def wrk(url: str, cookie: str, seconds: int, connections: int) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if cookie:
        args[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 30).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if not re.search(r"99%\s+[\d.]+(us|ms|s|m)\s", out):
        raise RuntimeError(f"wrk measured no latency for {url}:\n{out}")
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
        "p99_ms": _ms(re.search(r"99%\s+(\S+)", out).group(1)),
        "load": os.getloadavg()[0],
    }


def _ms(text: str) -> float:
    """wrk's latency ("812.00us", "14.52ms", "1.20s", "1.05m") in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def measure(base: str, cookies: dict, args) -> dict:
    figures = {}
    for name, role, path in PATHS:
        cookie = cookies.get(role, "")
        status = requests.get(base + path, headers={"Cookie": cookie}, timeout=60, allow_redirects=False).status_code
        if status != 200:
            log(f"{path} answered {status}, not 200: its figures below measure that answer, not the page")
        wrk(base + path, cookie, 2, args.connections)  # warm up
        figures[path] = {"status": status, **wrk(base + path, cookie, args.seconds, args.connections)}
        f = figures[path]
        log(f"{path}: {f['rate']:.0f} requests/s, p99 {f['p99_ms']:.1f} ms, load average {f['load']:.1f}")
    return figures


def main(argv=None) -> int:
    args = parse(argv)
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    sizes = sorted({args.small, args.posts})
    results = {}
    with harness.workdir(args.workdir) as work:
        sandbox = harness.Sandbox(work, port=args.port and args.port + 1)
        server = None
        try:
            env = harness.environment(database_url=args.database_url, sandbox_url=sandbox.url, log_level="WARNING")
            harness.setup_django(env)
            from django.conf import settings
            from django.test import Client

            from posts.models import Post

            accounts = harness.seed_accounts(sandbox, 2)
            cookies = {}
            for role, user in (("reseller", accounts[0].reseller), ("client", accounts[0].user)):
                client = Client()
                client.force_login(user)
                cookies[role] = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            for size in sizes:
                started = time.monotonic()
                seed_mix(accounts, size - Post.objects.count())
                log(f"seeded {size:,} posts in {time.monotonic() - started:.1f} s")
                server, base = harness.start_gunicorn(env, work, args.gunicorn_workers, args.port)  # fresh: no warm cache
                results[size] = measure(base, cookies, args)
                harness.stop_process(server)
                server = None
        finally:
            if server:
                harness.stop_process(server)
            harness.stop_all([], sandbox)

    print(f"\nHTTP: gunicorn with {args.gunicorn_workers} sync workers, wrk {args.connections} connections "
          f"for {args.seconds} s each, loopback\n")
    for size in sizes:
        ceiling = results[size]["/healthz"]["rate"]
        print(f"{size:,} posts:")
        for name, _, path in PATHS:
            f = results[size][path]
            print(f"  {name:<24} {path:<15} {f['status']}  {f['rate']:7.0f} requests/s  {f['rate'] / ceiling:5.2f} of "
                  f"the ceiling  p99 {f['p99_ms']:6.1f} ms  {f['errors']} errors  load average {f['load']:.1f}")
    print()
    rows = []
    small, large = results[sizes[0]], results[sizes[-1]]
    for name, _, path in PATHS[1:]:
        f, base_rate = large[path], small[path]["rate"]
        ok_answers = f["status"] == 200 and f["errors"] == 0 and small[path]["errors"] == 0
        scaling = f["rate"] / base_rate
        rows += [
            (f"{path} requests/s at {args.posts:,}", f"{f['rate']:.0f}", f">= {MIN_RATE}",
             ok_answers and f["rate"] >= MIN_RATE),
            (f"{path} rate at {args.posts:,} / at {args.small:,}", f"{scaling:.2f}", f">= {MIN_SCALING}",
             scaling >= MIN_SCALING),
            (f"{path} p99 at {args.posts:,}", f"{f['p99_ms']:.1f} ms", f"<= {MAX_P99_MS} ms",
             f["p99_ms"] <= MAX_P99_MS),
        ]
    return harness.verdict(rows)


if __name__ == "__main__":
    sys.exit(main())
