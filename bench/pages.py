"""What one request of each list costs in-process: CPU time, SQL statements and Python calls.

    python -m bench.queries --large 1000000     # seeds the database (left seeded)
    python -m bench.pages [--requests 30]       # then measures against it, one request at a time
    python -m bench.pages --profile 40          # and prints where each path spends its time

Fetches the reseller dashboard /posts/, the client's review inbox /posts/inbox/ and
GET /api/posts with Django's test client, production settings (DEBUG off), against a database
bench.queries (or bench.http) seeded: nothing is emptied or written. For each path it prints the
CPU time of this process per request (median and lowest of `--requests`: PostgreSQL's own CPU is
not in it), the statements sent, and the Python function calls of one request counted by
cProfile. CPU time moves with the machine's load; the calls do not, so they are the figure to
compare between runs on a busy machine.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time

from . import harness
from .queries import page_queries

PATHS = [("reseller dashboard", "bench-reseller", "/posts/"), ("client review inbox", "client0", "/posts/inbox/"),
         ("API post list", "bench-reseller", "/api/posts")]


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url", default=harness.DEFAULT_DATABASE_URL)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also print each path's N costliest functions (cProfile over --requests requests)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    env = harness.environment(database_url=args.database_url, sandbox_url="http://127.0.0.1:9", log_level="WARNING")
    os.environ.update(env)
    sys.path.insert(0, str(harness.ROOT))
    import django

    django.setup()
    from django.test import Client

    from accounts.models import User
    from posts.models import Post

    print(f"\nIn-process, one request at a time, {Post.objects.count():,} posts, {args.requests} requests each\n")
    for name, username, path in PATHS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        status, statements, response = page_queries(client, path)
        for _ in range(3):  # warm: templates compiled, connection open
            client.get(path, HTTP_HOST="127.0.0.1")
        cpu = []
        for _ in range(args.requests):
            started = time.process_time()
            client.get(path, HTTP_HOST="127.0.0.1")
            cpu.append((time.process_time() - started) * 1000)
        profile = cProfile.Profile()
        profile.runcall(client.get, path, HTTP_HOST="127.0.0.1")
        calls = pstats.Stats(profile).total_calls
        if args.profile:
            _print_profile(client, path, args)
        cpu.sort()
        print(f"  {name:<20} {path:<14} {status}  CPU {cpu[len(cpu) // 2]:5.1f} ms (lowest {cpu[0]:5.1f}, "
              f"mean {sum(cpu) / len(cpu):5.1f}, highest {cpu[-1]:6.1f})  "
              f"{len(statements)} statements  {calls:,} Python calls  {len(response.content):,} bytes")
    return 0


def _print_profile(client, path: str, args) -> None:
    """The path's costliest functions over --requests requests: by own time, then by cumulative time."""
    profile = cProfile.Profile(time.process_time)  # CPU time, as the figures above: not waits on PostgreSQL
    for _ in range(args.requests):
        profile.runcall(client.get, path, HTTP_HOST="127.0.0.1")
    for order in ("tottime", "cumulative"):
        pstats.Stats(profile, stream=sys.stdout).strip_dirs().sort_stats(order).print_stats(args.profile)


if __name__ == "__main__":
    sys.exit(main())
