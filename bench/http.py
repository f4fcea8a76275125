"""Pages and API under gunicorn: requests per second with 10,000 posts, against a trivial view.

    python -m bench.http [--posts 10000] [--gunicorn-workers 3] [--seconds 10] [--connections 8]

Starts gunicorn (production settings, DEBUG off) on loopback, logs in as the reseller whose
dashboard shows the posts, and loads each path with wrk (Debian's `wrk`, loopback only, for a
fixed duration): /healthz (no database: the ceiling of this server on this machine), the reseller
dashboard /posts/, the client's review inbox /posts/inbox/ and GET /api/posts (once it exists).
Prints requests/s and each one's ratio to the ceiling. No pass/fail target is set by the issue for
these; it exits 1 only if a page answers with an error.
"""

from __future__ import annotations

import argparse
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


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--gunicorn-workers", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database-url", default=harness.DEFAULT_DATABASE_URL.replace("sh_bench", "sh_bench_http"))
    parser.add_argument("--workdir", default=None)
    return parser.parse_args(argv)


def wrk(url: str, cookie: str, seconds: int, connections: int) -> tuple[float, str]:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if cookie:
        args[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 30).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+(\S+)", out)
    return rate, f"{errors.group(1) if errors else 0} errors, p99 {p99.group(1) if p99 else '?'}"


def main(argv=None) -> int:
    args = parse(argv)
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    with harness.workdir(args.workdir) as work:
        sandbox = harness.Sandbox(work)
        server = None
        try:
            env = harness.environment(database_url=args.database_url, sandbox_url=sandbox.url, log_level="WARNING")
            harness.setup_django(env)
            from django.conf import settings
            from django.test import Client

            accounts = harness.seed_accounts(sandbox, 2)
            seed_mix(accounts, args.posts)
            cookies = {}
            for role, user in (("reseller", accounts[0].reseller), ("client", accounts[0].user)):
                client = Client()
                client.force_login(user)
                cookies[role] = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            port = harness.free_port()
            base = f"http://127.0.0.1:{port}"
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "socialhub.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(args.gunicorn_workers), "--access-logfile", "-"],
                cwd=harness.ROOT, env={**__import__("os").environ, **env},
                stdout=open(work / "gunicorn.log", "wb"), stderr=subprocess.STDOUT, start_new_session=True,
            )
            deadline = time.monotonic() + 30
            while True:
                try:
                    requests.get(f"{base}/healthz", timeout=5)
                    break
                except requests.RequestException:
                    if time.monotonic() > deadline:
                        raise RuntimeError("gunicorn did not start") from None
                    time.sleep(0.2)
            results = []
            for name, role, path in PATHS:
                cookie = cookies.get(role, "")
                status = requests.get(base + path, headers={"Cookie": cookie}, timeout=30,
                                      allow_redirects=False).status_code
                if status == 404 and path.startswith("/api/"):
                    print(f"{name} ({path}): not there yet (404)")
                    continue
                wrk(base + path, cookie, 2, args.connections)  # warm up
                rate, detail = wrk(base + path, cookie, args.seconds, args.connections)
                log(f"{path}: {rate:.0f} requests/s ({detail})")
                results.append((name, path, status, rate, detail))
        finally:
            if server:
                harness.stop_process(server)
            harness.stop_all([], sandbox)

    ceiling = results[0][3]
    print(f"\nHTTP: gunicorn with {args.gunicorn_workers} sync workers, {args.posts} posts, wrk "
          f"{args.connections} connections for {args.seconds} s each, loopback\n")
    failed = False
    for name, path, status, rate, detail in results:
        print(f"{name:<24} {path:<15} {status}  {rate:8.0f} requests/s  {rate / ceiling:5.2f} of the ceiling  ({detail})")
        failed |= status != 200 or not detail.startswith("0 errors")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
