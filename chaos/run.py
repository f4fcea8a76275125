"""Chaos: publish N posts while X misbehaves and workers are killed, then count what users would see.

    python -m chaos [--posts 1000] [--accounts 20] [--clusters 1|2] [--broker orm|redis]

The X sandbox answers 10% of tweets with 503, loses 5% of its answers after creating the tweet,
and expires 1% of OAuth 2.0 access tokens on use. The posts' texts are what X changes when it stores
them (see docs/x-api.md): "&", "<" and ">" (X escapes them), bare domains and links (X turns each into
a t.co link), so a lost answer is reconciled against X's stored text, not ours. A random qcluster
worker or dispatcher process (any cluster) gets SIGKILL every few seconds until every post has
settled (a killed dispatcher is started again, as a process supervisor would); and once, mid-run,
every cluster is killed at once and a new generation starts on new host names (`--restart-at`, as
a deploy of every machine). At the end:

- tweets per post (from the sandbox): duplicates, target 0;
- posts neither published nor failed with a reason (lost or stuck), target 0;
- failed posts whose tweet is on X (falsely failed), target 0;
- published posts whose tweet is not on X, target 0;
- OAuth 2.0 refreshes per account against the refreshes needed (tokens the sandbox expired):
  extra refreshes, target 0; invalid_grant and refresh-token reuse answers, target 0.

Exits 1 when a target is missed. Retry waits, the lease and the timeouts are shortened (the
settings below) so that a run takes minutes, not hours; the rules are the production code's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import signal
import sys
import threading
import time
import re
from collections import Counter

from bench import harness
from bench.harness import log

# Production rules, shorter clocks. The lease keeps its rule: 5/6 of it outlasts one call to X.
CHAOS_SETTINGS = {
    "publish_retry_base_seconds": 1,
    "publish_retry_max_seconds": 4,
    "publish_max_attempts": 10,
    "publish_reconcile_delay_seconds": 0.5,
    "publish_lease_seconds": 20,
    "x_connect_timeout": 2,
    "x_read_timeout": 3,
    "dispatcher_redispatch_seconds": 5,
    "dispatcher_poll_seconds": 0.25,
}


# Texts X stores differently from how they were sent: escaped, and links as t.co links. Every text
# starts "Chaos post <n>" so each tweet on X is counted for its post however X changed the rest.
TEXTS = (
    "Chaos post {i}",
    "Chaos post {i}: Tom & Jerry <3 fish > chips",
    "Chaos post {i} at example.com/p{i} and www.example.org",
    "Chaos post {i}, see https://example.net/a?b={i}&c=1 (docs.example.com)",
)
_POST_NUMBER = re.compile(r"^Chaos post (\d+)(?!\d)")


def chaos_text(i: int) -> str:
    return TEXTS[i % len(TEXTS)].format(i=i)


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--spread", type=float, default=30, help="posts are due over this many seconds")
    parser.add_argument("--clusters", type=int, default=1, help="qcluster processes (machines)")
    parser.add_argument("--workers", type=int, default=3, help="Q_WORKERS per cluster")
    parser.add_argument("--threads", type=int, default=5, help="PUBLISH_THREADS per worker")
    parser.add_argument("--broker", choices=["orm", "redis"], default="orm")
    parser.add_argument("--kill-every", type=float, default=4.0, help="seconds between SIGKILLs (0: none)")
    parser.add_argument("--restart-at", type=float, default=None,
                        help="seconds into the run when every cluster restarts at once "
                        "(default: half the spread; 0: never)")
    parser.add_argument("--fail-rate", type=float, default=0.10)
    parser.add_argument("--lose-rate", type=float, default=0.05)
    parser.add_argument("--expire-rate", type=float, default=0.01)
    parser.add_argument("--delay-ms", type=int, default=50, help="X's answer time per tweet")
    parser.add_argument("--timeout", type=float, default=600, help="give up waiting after this many seconds")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--database-url", default=harness.DEFAULT_DATABASE_URL.replace("sh_bench", "sh_bench_chaos"))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--workdir", default=None)
    return parser.parse_args(argv)


class Killer(threading.Thread):
    """SIGKILLs a random worker or dispatcher process of a random cluster every `every` seconds."""

    def __init__(self, clusters, every: float, rng: random.Random):
        super().__init__(daemon=True)
        self.clusters, self.every, self.rng = clusters, every, rng
        self.done = threading.Event()
        self.kills: list[tuple[str, int]] = []

    def run(self) -> None:
        while not self.done.wait(self.every):
            cluster = self.rng.choice(self.clusters)
            pids = cluster.worker_pids()
            if pids and cluster.dispatcher.poll() is None:
                pids.append(cluster.dispatcher.pid)
            if not pids:
                continue
            pid = self.rng.choice(pids)
            try:
                os.kill(pid, signal.SIGKILL)  # one of our own qcluster's workers or dispatchers, by its id
                self.kills.append((cluster.name, pid))
            except ProcessLookupError:
                pass


def restart_every_cluster(args, env: dict[str, str], work, clusters: list) -> None:
    """Kill every cluster at once (SIGKILL: no clean-up) and start a new generation on new host
    names without waiting for it, as when every machine is redeployed."""
    old = list(clusters)
    for cluster in old:
        cluster.stop(kill=True)
    clusters.clear()  # in place: the Killer picks from the new generation
    harness.start_clusters(args, env, work, clusters, wait=False, generation=2)
    log(f"killed every cluster ({len(old)}) and started {args.clusters} new one(s) on new host names")


def main(argv=None) -> int:
    args = parse(argv)
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    rng = random.Random(seed)
    with harness.workdir(args.workdir) as work:
        sandbox = harness.Sandbox(
            work,
            tweet_delay_ms=args.delay_ms,
            tweet_fail_rate=args.fail_rate,
            tweet_lose_answer_rate=args.lose_rate,
            expire_token_rate=args.expire_rate,
            seed=seed,
        )
        clusters: list[harness.Cluster] = []
        killer = None
        try:
            env = harness.pipeline_environment(args, sandbox, **CHAOS_SETTINGS)
            from posts.models import Post, PostChannel

            accounts = harness.seed_accounts(sandbox, args.accounts)
            harness.start_clusters(args, env, work, clusters)

            start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=2)
            step = args.spread / max(args.posts, 1)
            ids = harness.seed_posts(
                accounts, [start + dt.timedelta(seconds=i * step) for i in range(args.posts)], text=chaos_text
            )
            log(f"{len(ids)} posts due from {start:%H:%M:%S} over {args.spread:g} s; seed {seed}; logs in {work}")
            if args.kill_every > 0:
                killer = Killer(clusters, args.kill_every, rng)
                killer.start()

            settled = [Post.Status.PUBLISHED, Post.Status.FAILED]
            began = time.monotonic()
            deadline = began + args.timeout
            restart_at = began + (args.spread / 2 if args.restart_at is None else args.restart_at)
            restarts = 0
            while time.monotonic() < deadline:
                left = Post.objects.filter(pk__in=ids).exclude(status__in=settled).count()
                if not left:
                    break
                if restart_at > began and not restarts and time.monotonic() >= restart_at:
                    restart_every_cluster(args, env, work, clusters)
                    restarts = 1
                for cluster in clusters:
                    cluster.revive_dispatcher()  # the process supervisor
                time.sleep(1)
            elapsed = time.monotonic() - began
            if killer:
                killer.done.set()
                killer.join()
            time.sleep(1)  # let in-flight answers land before counting

            tweets = sandbox.tweets()
            numbers = (_POST_NUMBER.match(t["text"]) for t in tweets)
            per_number = Counter(int(m.group(1)) for m in numbers if m)
            stats = sandbox.get("stats")
            posts = {p.pk: p for p in Post.objects.filter(pk__in=ids)}
            on_x_by_post = {pk: per_number.get(i, 0) for i, pk in enumerate(ids)}
            channels = list(PostChannel.objects.filter(post_id__in=ids).select_related("account"))
        finally:
            if killer:
                killer.done.set()
            harness.stop_all(clusters, sandbox)

    tweet_ids = {t["id"] for t in tweets}
    duplicates = sum(n - 1 for n in on_x_by_post.values() if n > 1)
    on_x = sum(1 for n in on_x_by_post.values() if n)
    status = Counter(p.get_status_display() for p in posts.values())
    failed_without_reason = [
        c.post_id for c in channels if c.state == PostChannel.State.FAILED and not c.last_error
    ]
    unsettled = [pk for pk, p in posts.items() if p.status not in (Post.Status.PUBLISHED, Post.Status.FAILED)]
    lost_or_stuck = len(unsettled) + len(set(failed_without_reason))
    phantom = [c.post_id for c in channels if c.state == PostChannel.State.PUBLISHED and c.remote_id not in tweet_ids]
    failed_on_x = [pk for pk, p in posts.items() if p.status == Post.Status.FAILED and on_x_by_post[pk]]
    users = {a.provider_account_id: a.username for a in {c.account for c in channels}}
    refreshes = stats["refreshes_by_user"]
    needed = stats.get("expired_by_user", {})
    extra = sum(max(0, refreshes.get(u, 0) - needed.get(u, 0)) for u in users)
    kills = len(killer.kills) if killer else 0

    print(f"\nChaos: {args.posts} posts over {args.accounts} accounts in {elapsed:.0f} s; "
          f"{args.clusters} cluster(s) x {args.workers} workers x {args.threads} threads, broker {args.broker}")
    print(f"faults: {args.fail_rate:.0%} tweets 503, {args.lose_rate:.0%} answers lost after creating, "
          f"{args.expire_rate:.0%} tokens expired per call; {kills} worker(s) SIGKILLed; "
          f"every cluster restarted at once {restarts} time(s); seed {seed}")
    paths = stats["requests_by_path"]
    print(f"sandbox: {paths.get('POST /2/tweets', 0)} POST /2/tweets, "
          f"{sum(v for k, v in paths.items() if k.startswith('GET /2/users/'))} timeline reads, "
          f"{sum(refreshes.values())} refreshes for {sum(needed.values())} expired tokens")
    print("posts: " + ", ".join(f"{n} {s.lower()}" for s, n in sorted(status.items())))
    print(f"tweets per post: {dict(sorted(Counter(on_x_by_post.values()).items()))}; "
          f"{on_x} posts on X; {len(failed_on_x)} failed posts are on X anyway")
    print("refreshes per account (done/needed): " + ", ".join(
        f"{users[u]} {refreshes.get(u, 0)}/{needed.get(u, 0)}" for u in sorted(users, key=lambda u: users[u])
        if refreshes.get(u, 0) or needed.get(u, 0)
    ))
    print()
    return harness.verdict(
        [
            ("duplicate tweets", str(duplicates), "0", duplicates == 0),
            ("lost or stuck posts", str(lost_or_stuck), "0", lost_or_stuck == 0),
            ("falsely failed posts (on X)", str(len(failed_on_x)), "0", not failed_on_x),
            ("published without a tweet", str(len(phantom)), "0", not phantom),
            ("extra refreshes", str(extra), "0", extra == 0),
            ("invalid_grant answers", str(stats["invalid_grant"]), "0", stats["invalid_grant"] == 0),
            ("refresh token reuse", str(stats["refresh_token_reuse"]), "0", stats["refresh_token_reuse"] == 0),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
