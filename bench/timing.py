"""Timing: N posts scheduled over a few minutes; how late does X receive each tweet?

    python -m bench.timing [--posts 200] [--over 120] [--workers 3] [--threads 10]
    python -m bench.timing --cold       # the first minute after a cold start on a fresh database
    python -m bench.timing --restart    # every cluster restarts at once, on new host names

Each post gets its own `schedule_at`, spread evenly (with sub-second jitter) over `--over`
seconds, starting `--first-due` seconds after the clusters are up. The delay of a post is the
sandbox's creation time of its tweet minus its schedule_at (the sandbox answers at once, so
creation is receipt). Prints p50/p95/max; target: p95 under 2 s, none early, one tweet per post.

--cold: a new database (dropped, created, migrated), the posts written before anything runs, and
the first one due `--first-due` seconds after the clusters (qcluster and dispatcher) are launched,
over 60 s unless --over says otherwise: what a post due right after a first deploy sees.
--restart: a third of the way into the schedule every cluster is killed (SIGKILL) and a new
generation starts at once on new host names, as after a deploy of every machine; the posts due
in the minute after it are reported on their own as well.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections import Counter

from . import harness
from .harness import log


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.timing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--over", type=float, default=None, help="seconds the schedule spans (120; 60 with --cold)")
    parser.add_argument("--first-due", type=float, default=5, help="seconds from the start to the first due post")
    parser.add_argument("--cold", action="store_true", help="measure the first minute after a cold start")
    parser.add_argument("--restart", action="store_true", help="restart every cluster a third of the way in")
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--delay-ms", type=int, default=0, help="the sandbox's answer time per tweet")
    parser.add_argument("--clusters", type=int, default=1)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=10)
    parser.add_argument("--broker", choices=["orm", "redis"], default="orm")
    parser.add_argument("--database-url", default=harness.DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=harness.DEFAULT_REDIS_URL)
    parser.add_argument("--p95", type=float, default=2.0, help="target: p95 delay in seconds")
    parser.add_argument("--workdir", default=None)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    args.over = args.over or (60 if args.cold else 120)
    rng = random.Random(7)
    with harness.workdir(args.workdir) as work:
        sandbox = harness.Sandbox(work, tweet_delay_ms=args.delay_ms)
        clusters = []
        restarted_at = None
        try:
            env = harness.pipeline_environment(args, sandbox, fresh=args.cold)
            from posts.models import Post

            accounts = harness.seed_accounts(sandbox, args.accounts)
            if not args.cold:
                harness.start_clusters(args, env, work, clusters)
            start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=args.first_due)
            step = args.over / args.posts
            times = [start + dt.timedelta(seconds=i * step + rng.uniform(0, step)) for i in range(args.posts)]
            ids = harness.seed_posts(accounts, times, text="Timed post {i}")
            if args.cold:
                harness.start_clusters(args, env, work, clusters, wait=False)
                log(f"cold start: clusters launched; first post due {(start - _now()).total_seconds():.1f} s later")
            log(f"{len(ids)} posts due from {start:%H:%M:%S} over {args.over:g} s")
            if args.restart:
                restart = start + dt.timedelta(seconds=args.over / 3)
                time.sleep(max(0.0, (restart - _now()).total_seconds()))
                old = list(clusters)
                for cluster in old:
                    cluster.stop(kill=True)
                harness.start_clusters(args, env, work, clusters, wait=False, generation=2)
                restarted_at = _now()
                log(f"killed {len(old)} cluster(s) and started {args.clusters} on new host names")
            deadline = time.monotonic() + args.first_due + args.over + 60
            while time.monotonic() < deadline:
                if not Post.objects.filter(pk__in=ids).exclude(status=Post.Status.PUBLISHED).exists():
                    break
                time.sleep(1)
            due = dict(Post.objects.filter(pk__in=ids).values_list("content", "schedule_at"))
            published = Post.objects.filter(pk__in=ids, status=Post.Status.PUBLISHED).count()
            tweets = [t for t in sandbox.tweets() if t["text"] in due]
        finally:
            harness.stop_all(clusters, sandbox)

    per_text = Counter(t["text"] for t in tweets)
    duplicates = sum(n - 1 for n in per_text.values())
    first = {}
    for tweet in tweets:
        first[tweet["text"]] = min(first.get(tweet["text"], float("inf")), harness.created_at(tweet))
    delays = [first[text] - due[text].timestamp() for text in first]
    delays += [float("inf")] * (len(due) - len(first))  # never published: late without end
    p50, p95 = harness.percentile(delays, 50), harness.percentile(delays, 95)
    worst, earliest = max(delays, default=float("inf")), min(delays, default=0.0)
    mode = " after a cold start on a fresh database" if args.cold else ""
    print(f"\nTiming{mode}: {args.posts} posts due over {args.over:g} s, {args.accounts} accounts; "
          f"{args.clusters} cluster(s) x {args.workers} workers x {args.threads} threads; broker {args.broker}")
    print(f"delay from schedule_at to the sandbox creating the tweet: p50 {p50:.3f} s, p95 {p95:.3f} s, "
          f"max {worst:.3f} s, min {earliest:.3f} s; logs in {work}")
    rows = []
    if restarted_at:
        after = restarted_at.timestamp()
        window = [d for text, d in zip(first, delays) if after <= due[text].timestamp() < after + 60]
        p95_after = harness.percentile(window, 95)
        print(f"every cluster killed and restarted on new host names at {restarted_at:%H:%M:%S}: "
              f"{len(window)} posts due in the minute after it, p95 {p95_after:.3f} s")
        rows.append(("p95 delay after the restart (s)", f"{p95_after:.3f}", f"< {args.p95:g}", p95_after < args.p95))
    print()
    return harness.verdict(
        rows + [
            ("published", f"{published}/{len(ids)}", f"{len(ids)}/{len(ids)}", published == len(ids)),
            ("p95 delay (s)", f"{p95:.3f}", f"< {args.p95:g}", p95 < args.p95),
            ("earliest delay (s)", f"{earliest:.3f}", ">= 0 (never early)", earliest >= 0),
            ("duplicate tweets", str(duplicates), "0", duplicates == 0),
        ]
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


if __name__ == "__main__":
    sys.exit(main())
