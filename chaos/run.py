"""Chaos: publish N posts to X, Mastodon, Bluesky, LinkedIn, Facebook and Instagram at once while
every network misbehaves and workers are killed, then count what users would see, per network.

    python -m chaos [--posts 500] [--accounts 20] [--clusters 1|2] [--broker orm|redis]

Each client has one account on every network (chaos/networks.py, one row per network) and each post
goes to all of them; every fifth post is a thread of three parts, which goes to the networks that
have threads (X, Mastodon, Bluesky: reply chains) and skips the others. Every other post carries
a small JPEG (uploaded to X, Mastodon, Bluesky, LinkedIn and Facebook with the post) and only those
go to Instagram, which needs an image and fetches it itself by URL: the run serves the app under
gunicorn on a free local port (SITE_URL), so the platform sandbox's Instagram fetches each signed
link over HTTP as Instagram would. The X sandbox answers 10%
of tweets with 503, loses 5% of its answers after creating the tweet, and expires 1% of OAuth 2.0
access tokens on use; the platform sandbox (python -m platforms.sandbox) answers 10% of the
creates on the other networks with 503 and loses 5% of its answers after creating the post. The
posts' texts are what X changes when it stores them (see docs/x-api.md): "&", "<" and ">" (X
escapes them), bare domains and links (X turns each into a t.co link), and long posts from Premium
accounts (X answers them cut, the whole text in `note_tweet`; the other networks get the short
text as their own, "customize per network"), so a lost answer is reconciled against X's stored
text, not ours. A random qcluster worker or dispatcher process (any cluster) gets SIGKILL every few
seconds until every post has settled, or for the first `--kill-for` seconds (a killed
dispatcher is started again, as a process supervisor would); and once, mid-run, every cluster is killed at once and a new generation starts
on new host names (`--restart-at`, as a deploy of every machine). At the end, for each network:

- posts beyond one per channel and part (from the sandbox): duplicates, target 0;
- channels neither published nor failed with a reason, or published with a part missing: lost,
  target 0;
- failed channels whose post is on the network: falsely failed, target 0;
- published channels whose recorded id is not on the network, target 0;

and for X, OAuth 2.0 refreshes per account against the refreshes needed (tokens the sandbox
expired): extra refreshes, target 0; invalid_grant and refresh-token reuse answers, target 0.

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

from . import networks

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
# A post on any network -> (post number, part): "Chaos post 12 part 2" is part 2 of post 12.
_POST_PART = re.compile(r"^Chaos post (\d+)(?!\d)(?: part (\d+)(?!\d))?")
THREAD_EVERY = 5  # every fifth post is a thread
THREAD_PARTS = 3
IMAGE_EVERY = 2  # every other post carries an image (and goes to the networks that need one)


# A long post (Premium accounts only): X answers it cut, with the whole text in note_tweet.
LONG_TEXT = "Chaos post {i}, a long one: " + "Tom & Jerry <3 example.com/long and more. " * 12


def chaos_text(i: int, premium: bool = False) -> str:
    if premium and i % 2:
        return LONG_TEXT.format(i=i)
    return TEXTS[i % len(TEXTS)].format(i=i)


def thread_of(i: int) -> list[str]:
    """Parts 2, 3, ... of post i's thread (none for most posts)."""
    if i % THREAD_EVERY != THREAD_EVERY - 1:
        return []
    return [f"Chaos post {i} part {k}" for k in range(2, THREAD_PARTS + 1)]


def has_image(i: int) -> bool:
    return i % IMAGE_EVERY == 0


def chaos_jpeg() -> bytes:
    """A small JPEG (SOI, JFIF APP0, a baseline 64x64 SOF0, EOI): what the networks check of one."""
    import struct

    return (b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            + b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, 64, 64, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
            + b"\xff\xd9")


def post_part(text: str) -> tuple[int, int] | None:
    match = _POST_PART.match(text)
    return (int(match.group(1)), int(match.group(2) or 1)) if match else None


def seed_networks(sandboxes: networks.Sandboxes, count: int) -> list[dict]:
    """`count` clients, each with one account on every network; returns {provider: Account} per
    client (each with .task and .reseller)."""
    from socials.models import Account

    clients = harness.seed_clients(count)
    per_client = [{} for _ in clients]
    for network in networks.NETWORKS:
        made = Account.objects.bulk_create([network.account(sandboxes, c, i) for i, c in enumerate(clients)])
        for i, (account, client) in enumerate(zip(made, clients)):
            account.task, account.reseller = client.task, client.reseller
            per_client[i][network.provider] = account
    return per_client


def seed_posts(per_client: list[dict], schedule_at: list[dt.datetime]) -> list[int]:
    """Approved posts round-robin over the clients, each to all of its client's accounts (a thread
    only to the networks with threads; a post without an image not to the networks that need one).
    Every other post carries the same stored JPEG. Returns their ids."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from posts.media import stored_name
    from posts.models import Post, PostChannel, PostMedia, PostPart

    rows = []
    for i, when in enumerate(schedule_at):
        accounts = per_client[i % len(per_client)]
        long = any(a.may_post_long for a in accounts.values()) and i % 2
        short = chaos_text(i)
        some = next(iter(accounts.values()))
        rows.append(Post(
            task=some.task, created_by=some.reseller, content=chaos_text(i, long), status=Post.Status.APPROVED,
            schedule_at=when,
            text_overrides={n.provider: short for n in networks.NETWORKS if long and not n.long_posts},
        ))
    posts = Post.objects.bulk_create(rows, batch_size=1000)
    image = chaos_jpeg()
    image_name = default_storage.save(stored_name("posts", "image/jpeg"), ContentFile(image))
    parts, channels, media = [], [], []
    for i, post in enumerate(posts):
        thread = thread_of(i)
        parts += [PostPart(post=post, position=k, content=text) for k, text in enumerate(thread, start=2)]
        accounts = per_client[i % len(per_client)]
        channels += [PostChannel(post=post, account=accounts[n.provider]) for n in networks.NETWORKS
                     if (n.threads or not thread) and (has_image(i) or not n.needs_image)]
        if has_image(i):
            media.append(PostMedia(post=post, kind=PostMedia.Kind.IMAGE, mime_type="image/jpeg", size=len(image),
                                   file=image_name, alt_text=f"Chaos image {i}"))
    PostPart.objects.bulk_create(parts, batch_size=1000)
    PostMedia.objects.bulk_create(media, batch_size=1000)
    PostChannel.objects.bulk_create(channels, batch_size=1000)
    return [p.pk for p in posts]


def count_network(network: networks.Network, held: list[tuple[str, str]], channels: list, number: dict) -> dict:
    """What one network holds against what its channels recorded. `number`: post id -> post number."""
    from posts.models import PostChannel

    on = Counter(filter(None, (post_part(text) for text, _id in held)))
    ids = {remote_id for _text, remote_id in held}
    expected = Counter()
    for c in channels:
        expected.update((number[c.post_id], k) for k in range(1, 2 + len(thread_of(number[c.post_id]))))
    settled = (PostChannel.State.PUBLISHED, PostChannel.State.FAILED)

    def missing_part(c) -> bool:
        return any(not on[(number[c.post_id], k)] for k in range(1, 2 + len(thread_of(number[c.post_id]))))

    published = [c for c in channels if c.state == PostChannel.State.PUBLISHED]
    failed = [c for c in channels if c.state == PostChannel.State.FAILED]
    return {
        "channels": len(channels),
        "published": len(published),
        "failed": len(failed),
        "held": sum(on.values()),
        "duplicates": sum(max(0, n - expected[key]) for key, n in on.items()),
        "lost": sum(1 for c in channels if c.state not in settled)
        + sum(1 for c in failed if not c.last_error)
        + sum(1 for c in published if missing_part(c)),
        "falsely failed": sum(1 for c in failed if on[(number[c.post_id], 1)]),
        "wrong ids": sum(1 for c in published
                         if any(r not in ids for r in [c.remote_id, *(p.remote_id for p in c.parts.all())])),
    }


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--accounts", type=int, default=20, help="clients, each with an account on every network")
    parser.add_argument("--spread", type=float, default=30, help="posts are due over this many seconds")
    parser.add_argument("--clusters", type=int, default=1, help="qcluster processes (machines)")
    parser.add_argument("--workers", type=int, default=3, help="Q_WORKERS per cluster")
    parser.add_argument("--threads", type=int, default=5, help="PUBLISH_THREADS per worker")
    parser.add_argument("--broker", choices=["orm", "redis"], default="orm")
    parser.add_argument("--kill-every", type=float, default=4.0, help="seconds between SIGKILLs (0: none)")
    parser.add_argument("--kill-for", type=float, default=0,
                        help="stop killing this many seconds into the run, so that the rest shows every "
                        "post settling once the faults end (default 0: kill until every post has settled)")
    parser.add_argument("--restart-at", type=float, default=None,
                        help="seconds into the run when every cluster restarts at once "
                        "(default: half the spread; 0: never)")
    parser.add_argument("--fail-rate", type=float, default=0.10)
    parser.add_argument("--lose-rate", type=float, default=0.05)
    parser.add_argument("--expire-rate", type=float, default=0.01)
    parser.add_argument("--delay-ms", type=int, default=50, help="X's answer time per tweet")
    parser.add_argument("--platform-timeout", type=float, default=5,
                        help="seconds per call to the networks other than X")
    parser.add_argument("--timeout", type=float, default=600, help="give up waiting after this many seconds")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--database-url", default=harness.DEFAULT_DATABASE_URL.replace("sh_bench", "sh_bench_chaos"))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--workdir", default=None)
    return parser.parse_args(argv)


class Killer(threading.Thread):
    """SIGKILLs a random worker or dispatcher process of a random cluster every `every` seconds,
    for `for_seconds` (0: until told to stop)."""

    def __init__(self, clusters, every: float, rng: random.Random, for_seconds: float = 0):
        super().__init__(daemon=True)
        self.clusters, self.every, self.rng = clusters, every, rng
        self.until = time.monotonic() + for_seconds if for_seconds else float("inf")
        self.done = threading.Event()
        self.kills: list[tuple[str, int]] = []

    def run(self) -> None:
        while not self.done.wait(self.every) and time.monotonic() < self.until:
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
    # Stopped from outside (a test's time limit, Ctrl-C in a terminal that sends TERM): unwind, so
    # the `finally` below stops every cluster, dispatcher and sandbox it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    rng = random.Random(seed)
    with harness.workdir(args.workdir) as work:
        sandboxes = networks.Sandboxes(
            x=harness.Sandbox(
                work,
                tweet_delay_ms=args.delay_ms,
                tweet_fail_rate=args.fail_rate,
                tweet_lose_answer_rate=args.lose_rate,
                expire_token_rate=args.expire_rate,
                seed=seed,
            ),
            platforms=None,
        )
        clusters: list[harness.Cluster] = []
        killer = site = None
        try:
            sandboxes.platforms = harness.Sandbox(work, module="platforms.sandbox", entryway_port=harness.free_port())
            sandboxes.platforms.post("chaos", fail_rate=args.fail_rate, lose_rate=args.lose_rate, seed=seed)
            site_port = harness.free_port()
            env = harness.pipeline_environment(
                args, sandboxes.x, **CHAOS_SETTINGS, **networks.platform_settings(sandboxes, args.platform_timeout),
                site_url=f"http://127.0.0.1:{site_port}", media_root=work / "media",
            )
            site, _url = harness.start_gunicorn(env, work, 2, site_port)  # where Instagram fetches the images
            from posts.models import Post, PostChannel

            per_client = seed_networks(sandboxes, args.accounts)
            harness.start_clusters(args, env, work, clusters)

            start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=2)
            step = args.spread / max(args.posts, 1)
            ids = seed_posts(per_client, [start + dt.timedelta(seconds=i * step) for i in range(args.posts)])
            log(f"{len(ids)} posts due from {start:%H:%M:%S} over {args.spread:g} s; seed {seed}; logs in {work}")
            if args.kill_every > 0:
                killer = Killer(clusters, args.kill_every, rng, args.kill_for)
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

            held = {n.provider: n.posts(sandboxes) for n in networks.NETWORKS}
            stats = sandboxes.x.get("stats")
            injected = sandboxes.platforms.get("chaos")["injected"]
            status = Counter(p.get_status_display() for p in Post.objects.filter(pk__in=ids))
            channels = list(
                PostChannel.objects.filter(post_id__in=ids).select_related("account").prefetch_related("parts")
            )
            fetches = (work / "gunicorn.log").read_text(errors="replace").count('"GET /media/post/')
        finally:
            if killer:
                killer.done.set()
            harness.stop_all(clusters, sandboxes.x)
            if sandboxes.platforms:
                sandboxes.platforms.stop()
            if site:
                harness.stop_process(site)

    number = {pk: i for i, pk in enumerate(ids)}
    figures = {
        n.label: count_network(n, held[n.provider], [c for c in channels if c.account.provider == n.provider], number)
        for n in networks.NETWORKS
    }
    x_users = {c.account.provider_account_id: c.account.username for c in channels if c.account.provider == "twitter"}
    refreshes = stats["refreshes_by_user"]
    needed = stats.get("expired_by_user", {})
    extra = sum(max(0, refreshes.get(u, 0) - needed.get(u, 0)) for u in x_users)
    kills = len(killer.kills) if killer else 0

    print(f"\nChaos: {args.posts} posts ({len(channels)} channels on {len(networks.NETWORKS)} networks) over "
          f"{args.accounts} clients in {elapsed:.0f} s; "
          f"{args.clusters} cluster(s) x {args.workers} workers x {args.threads} threads, broker {args.broker}")
    print(f"faults: {args.fail_rate:.0%} creates 503, {args.lose_rate:.0%} answers lost after creating, "
          f"{args.expire_rate:.0%} X tokens expired per call; {kills} worker(s) SIGKILLed"
          f"{f' in the first {args.kill_for:g} s' if args.kill_for else ''}; "
          f"every cluster restarted at once {restarts} time(s); seed {seed}")
    paths = stats["requests_by_path"]
    print(f"X sandbox: {paths.get('POST /2/tweets', 0)} POST /2/tweets, "
          f"{sum(v for k, v in paths.items() if k.startswith('GET /2/users/'))} timeline reads, "
          f"{sum(v for k, v in paths.items() if k.startswith('POST /2/media/upload'))} media upload calls, "
          f"{sum(refreshes.values())} refreshes for {sum(needed.values())} expired tokens; "
          f"platform sandbox: {injected['failed']} creates answered 503, {injected['lost']} answers lost")
    print(f"{sum(map(has_image, range(args.posts)))} posts with an image; "
          f"the site served {fetches} signed image links (Instagram's fetches)")
    print("posts: " + ", ".join(f"{n} {s.lower()}" for s, n in sorted(status.items())))
    columns = ["channels", "published", "failed", "held", "duplicates", "lost", "falsely failed", "wrong ids"]
    print("\n" + "network".ljust(10) + "".join(c.rjust(16) for c in columns))
    for label, row in figures.items():
        print(label.ljust(10) + "".join(str(row[c]).rjust(16) for c in columns))
    print("(held: posts and thread parts the network holds; wrong ids: published channels whose recorded id "
          "it does not hold)")
    stuck = [c for c in channels if c.state not in (PostChannel.State.PUBLISHED, PostChannel.State.FAILED)]
    for c in stuck:  # what a reader needs to tell a slow run from a channel no worker takes
        when = {name: getattr(c, name) for name in ("claimed_at", "dispatched_at", "next_attempt_at")}
        print(f"unsettled: post {number[c.post_id]} on {c.account.provider}: {c.state}, {c.attempts} attempt(s), "
              + ", ".join(f"{k.removesuffix('_at').replace('_', ' ')} {v:%H:%M:%S.%f}" for k, v in when.items() if v)
              + (f", last error {c.error_kind}: {c.last_error[:160]}" if c.last_error else ""))
    print("X refreshes per account (done/needed): " + ", ".join(
        f"{x_users[u]} {refreshes.get(u, 0)}/{needed.get(u, 0)}" for u in sorted(x_users, key=lambda u: x_users[u])
        if refreshes.get(u, 0) or needed.get(u, 0)
    ))
    print()
    rows = []
    for label, row in figures.items():
        rows += [(f"{label}: {name}", str(row[name]), "0", row[name] == 0)
                 for name in ("duplicates", "lost", "falsely failed", "wrong ids")]
    return harness.verdict(
        rows + [
            ("X: extra refreshes", str(extra), "0", extra == 0),
            ("X: invalid_grant answers", str(stats["invalid_grant"]), "0", stats["invalid_grant"] == 0),
            ("X: refresh token reuse", str(stats["refresh_token_reuse"]), "0", stats["refresh_token_reuse"] == 0),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
