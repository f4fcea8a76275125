"""Burst: N approved posts due at the same second, X answering each tweet after 200 ms.

    python -m bench.burst [--posts 2000] [--workers 2] [--threads 15] [--broker orm|redis]

Measures how long until every post is on X (the last tweet's creation time in the sandbox minus
the due second) and compares it, in the same run, with the limit: the same number of tweets
POSTed straight to the same sandbox by a plain thread pool of the same concurrency (one
keep-alive session per thread, nothing else). Concurrency of the pipeline =
clusters x workers x threads (each cluster's dispatcher is a process of its own, beside qcluster).
Targets: all published within 30 s; ratio (baseline time / pipeline time) at least 0.5; one
tweet per post. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from . import harness
from .harness import log


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.burst", description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--accounts", type=int, default=100, help="X accounts the posts are spread over")
    parser.add_argument("--delay-ms", type=int, default=200, help="the sandbox's answer time per tweet")
    parser.add_argument("--clusters", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="Q_WORKERS per cluster")
    parser.add_argument("--threads", type=int, default=15, help="PUBLISH_THREADS per worker")
    parser.add_argument("--batch", type=int, default=None, help="PUBLISH_BATCH_SIZE (default: 2 x threads)")
    parser.add_argument("--broker", choices=["orm", "redis"], default="orm")
    parser.add_argument("--database-url", default=harness.DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=harness.DEFAULT_REDIS_URL)
    parser.add_argument("--limit", type=float, default=30.0, help="target: seconds until all are published")
    parser.add_argument("--min-ratio", type=float, default=0.74)  # issue 13
    parser.add_argument("--workdir", default=None, help="keep logs here (default: a temporary folder)")
    return parser.parse_args(argv)


def baseline(sandbox: harness.Sandbox, accounts: list, count: int, concurrency: int) -> float:
    """The same tweets straight to the sandbox from a plain thread pool. Returns seconds from the
    first request to the last tweet's creation."""
    local = threading.local()
    tokens = [a.oauth2_access_token for a in accounts]

    def send(i: int) -> None:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        answer = session.post(
            f"{sandbox.url}/2/tweets",
            json={"text": f"Baseline tweet {i}"},
            headers={"Authorization": f"Bearer {tokens[i % len(tokens)]}"},
            timeout=30,
        )
        answer.raise_for_status()

    started = time.time()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(send, range(count)))
    last = max(harness.created_at(t) for t in sandbox.tweets() if t["text"].startswith("Baseline tweet "))
    return last - started


def main(argv=None) -> int:
    args = parse(argv)
    concurrency = args.clusters * args.workers * args.threads
    batch = args.batch or 2 * args.threads
    with harness.workdir(args.workdir) as work:
        sandbox = harness.Sandbox(work, tweet_delay_ms=args.delay_ms)
        clusters = []
        try:
            env = harness.pipeline_environment(args, sandbox, batch_size=batch)
            from posts.models import Post

            accounts = harness.seed_accounts(sandbox, args.accounts)
            log(f"baseline: {args.posts} tweets from a thread pool of {concurrency}")
            base = baseline(sandbox, accounts, args.posts, concurrency)
            log(f"baseline took {base:.2f} s; starting {args.clusters} cluster(s) of {args.workers} workers")

            harness.start_clusters(args, env, work, clusters)

            due = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(seconds=3)
            ids = harness.seed_posts(accounts, [due] * args.posts, text="Burst post {i}")
            log(f"{len(ids)} posts due at {due:%H:%M:%S}")
            deadline = time.monotonic() + 3 + max(120, args.limit * 4)
            done = 0
            while time.monotonic() < deadline:
                done = Post.objects.filter(pk__in=ids, status__in=[Post.Status.PUBLISHED, Post.Status.FAILED]).count()
                if done == len(ids):
                    break
                time.sleep(0.5)
            published = Post.objects.filter(pk__in=ids, status=Post.Status.PUBLISHED).count()
            tweets = [t for t in sandbox.tweets() if t["text"].startswith("Burst post ")]
            per_text = Counter(t["text"] for t in tweets)
            duplicates = sum(n - 1 for n in per_text.values())
            last = max((harness.created_at(t) for t in tweets), default=float("nan"))
            elapsed = last - due.timestamp() if published == len(ids) else float("inf")
            ratio = base / elapsed if elapsed else 0.0
        finally:
            harness.stop_all(clusters, sandbox)

    print(f"\nBurst: {args.posts} posts due at once, {args.accounts} accounts, X answering after {args.delay_ms} ms")
    print(f"concurrency {concurrency} = {args.clusters} cluster(s) x {args.workers} workers x "
          f"{args.threads} threads; batches of {batch}; broker {args.broker}; logs in {work}")
    print(f"baseline (thread pool of {concurrency} straight to the sandbox): {base:.2f} s "
          f"({args.posts / base:.0f} tweets/s)")
    print(f"pipeline: {elapsed:.2f} s from the due second to the last tweet ({args.posts / elapsed:.0f} tweets/s)\n")
    return harness.verdict(
        [
            ("published", f"{published}/{len(ids)}", f"{len(ids)}/{len(ids)}", published == len(ids)),
            ("time to publish all (s)", f"{elapsed:.2f}", f"<= {args.limit:g}", elapsed <= args.limit),
            ("ratio baseline/pipeline", f"{ratio:.2f}", f">= {args.min_ratio:g}", ratio >= args.min_ratio),
            ("duplicate tweets", str(duplicates), "0", duplicates == 0),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
