"""CPU: the worker's CPU time and SQL statements per publish, a figure a busy machine does not skew.

    python -m bench.cpu [--posts 300] [--batch 30] [--profile]

Publishes `--posts` plain posts (one channel each, due already) with `publish_posts`, `--batch`
at a time in one thread, as a worker would, against the X sandbox in its own process (its CPU is
not counted). Prints the worker's CPU (time.process_time) and statements per post; `--profile`
adds a profile in CPU time, by cumulative share. Wall time moves with the machine's load; CPU
time and statements move only with the code.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import time

from . import harness
from .queries import counting


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--batch", type=int, default=30)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="print a profile in CPU time")
    parser.add_argument("--database-url", default=harness.DEFAULT_DATABASE_URL)
    parser.add_argument("--workdir", default=None)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    with harness.workdir(args.workdir) as work:
        sandbox = harness.Sandbox(work)
        try:
            harness.setup_django(harness.environment(database_url=args.database_url, sandbox_url=sandbox.url))
            from posts import publishing

            accounts = harness.seed_accounts(sandbox, args.accounts)
            due = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
            warm = harness.seed_posts(accounts, [due] * args.accounts, text="Warm-up post {i}")
            publishing.publish_posts(post_ids=warm, threads=1)  # connections, first imports
            ids = harness.seed_posts(accounts, [due] * args.posts, text="CPU post {i}")
            profile = cProfile.Profile(time.process_time) if args.profile else None
            with counting() as statements:
                started = time.process_time()
                if profile:
                    profile.enable()
                for start in range(0, len(ids), args.batch):
                    publishing.publish_posts(post_ids=ids[start : start + args.batch], threads=1)
                if profile:
                    profile.disable()
                cpu = time.process_time() - started
        finally:
            sandbox.stop()
    print(f"\n{args.posts} posts in batches of {args.batch}: worker CPU {cpu * 1000 / args.posts:.2f} ms per post"
          f"{' (profiled)' if profile else ''}, {len(statements) / args.posts:.2f} statements per post")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
