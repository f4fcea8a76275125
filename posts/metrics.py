"""Public metrics of published posts, read from X in batches within its rate limits, and from
the other networks that give them cheaply (Mastodon, Bluesky, Facebook Pages, Instagram:
platforms.registry's `metrics` readers), stored in the same fields (likes, replies, reposts, quotes;
impressions and bookmarks are X's only). LinkedIn's are not read: its member-post counts need
scopes it grants to partners.

A django-q2 schedule runs `posts.tasks.refresh_metrics` every five minutes; it reads only the
channels `due_for_metrics` (15 minutes, 1 hour and 1 day after publishing, hourly in the first
week, then once a UTC day while staff track them), so reads stay few: X bills each post read (the
ledger, costs.recorder, counts them). A minute job, `posts.tasks.refresh_first_metrics`, reads a
post's first numbers once it has been published METRICS_FIRST_READ_SECONDS, so nobody looks at
empty metrics, and publishing itself spends no query on it. Each account's tweets are read with
that account's own token (per-user rate limits), 100 ids per request; an account that is not
usable is read with the app bearer token when there is one.
A 429, or a budget reported spent, stops that token for this run; the next run carries on with the
stalest channels first.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from costs import recorder as costs_recorder
from costs.models import MetricsPolicy
from platforms.x.client import TWEETS_PER_LOOKUP, AppBearerCredentials, XClient, XError
from platforms.x.tokens import AccountUnusable, call_x
from socials.error_kinds import ErrorKind
from socials.models import Account
from socials.publishers import PublishError

from .models import PostChannel

log = logging.getLogger(__name__)

# X's public_metrics names -> ours.
METRIC_NAMES = {
    "impression_count": "impressions",
    "like_count": "likes",
    "reply_count": "replies",
    "retweet_count": "reposts",
    "quote_count": "quotes",
    "bookmark_count": "bookmarks",
}
MAX_CHANNELS = 2000  # per run
# When a post's numbers are read (X bills a post read once per post per UTC day, so reads cost):
# soon after publishing, at each of these ages; then every FIRST_WEEK_EVERY during its first week;
# then at most once a UTC day until costs.MetricsPolicy.tracking_days (staff set it; default 30).
CHECKPOINTS = (dt.timedelta(minutes=15), dt.timedelta(hours=1), dt.timedelta(days=1))
FIRST_WEEK = dt.timedelta(days=7)
FIRST_WEEK_EVERY = dt.timedelta(hours=1)


def due_for_metrics(now: dt.datetime) -> Q:
    """Published channels whose numbers should be read now (see CHECKPOINTS). A post found gone
    (deleted, or its account suspended or protected) is not read again: every read is billed."""
    tracking = dt.timedelta(days=MetricsPolicy.current().tracking_days)
    published, read = "published_at", "metrics_updated_at"
    never = Q(metrics_updated_at__isnull=True)
    young = Q(published_at__gte=now - FIRST_WEEK) & (
        never | Q(metrics_updated_at__lte=now - FIRST_WEEK_EVERY) | _missed_checkpoint(now, published, read))
    today = now.astimezone(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    older = Q(published_at__lt=now - FIRST_WEEK, published_at__gte=now - tracking) & (
        never | Q(metrics_updated_at__lt=today))
    # A channel without a publish time (recorded by hand) is read like a post of its first week.
    unknown = Q(published_at__isnull=True) & (never | Q(metrics_updated_at__lte=now - FIRST_WEEK_EVERY))
    return (young | older | unknown) & ~Q(metrics__has_key="unavailable")


def _missed_checkpoint(now: dt.datetime, published: str, read: str) -> Q:
    """Read before a checkpoint that has passed since."""
    missed = Q(pk__in=[])
    for age in CHECKPOINTS:
        missed |= Q(**{f"{published}__lte": now - age}) & Q(**{f"{read}__lt": F(published) + age})
    return missed
FIRST_READS_FOR = dt.timedelta(hours=1)  # after that, the five-minute run reads a post's first numbers


@dataclass
class MetricsRun:
    updated: int = 0
    unavailable: int = 0  # deleted or hidden on X
    skipped: int = 0  # no usable token, or out of budget until the next run


class _Spent(Exception):
    """This token's rate-limit budget is spent for now."""


def refresh_metrics(*, now: dt.datetime | None = None, limit: int = MAX_CHANNELS,
                    first_reads: bool = False) -> MetricsRun:
    """Read impressions, likes, replies, reposts and quotes of recently published posts and store
    them on their channels with the time they were read. Never raises for X's failures.
    `first_reads`: only posts never read, published METRICS_FIRST_READ_SECONDS to an hour ago
    (the minute job; the hourly one reads the rest)."""
    now = now or timezone.now()
    readers = metric_readers()
    published = PostChannel.objects.filter(state=PostChannel.State.PUBLISHED,
                                           account__provider__in=["twitter", *readers])
    if first_reads:
        published = published.filter(
            metrics_updated_at__isnull=True,
            published_at__lte=now - dt.timedelta(seconds=settings.METRICS_FIRST_READ_SECONDS),
            published_at__gte=now - FIRST_READS_FOR,
        )
    channels = list(
        published
        .exclude(remote_id="")
        .filter(due_for_metrics(now))
        .select_related("account")
        .order_by(F("metrics_updated_at").asc(nulls_first=True), "pk")[:limit]
    )
    by_account: dict[int, list[PostChannel]] = defaultdict(list)
    for channel in channels:
        by_account[channel.account_id].append(channel)
    run, app_spent = MetricsRun(), False
    for account_channels in by_account.values():
        account = account_channels[0].account
        if account.provider in readers:
            _refresh_elsewhere(readers[account.provider], account, account_channels, run=run, now=now)
            continue
        use_app = not _can_read_itself(account)
        if use_app and (app_spent or not settings.TWITTER_BEARER_TOKEN):
            run.skipped += len(account_channels)
            continue
        try:
            _refresh_account(account, account_channels, use_app=use_app, run=run, now=now)
        except _Spent:
            app_spent = app_spent or use_app
    if run.updated or run.skipped:
        log.info("Metrics: %d updated, %d unavailable, %d skipped", run.updated, run.unavailable, run.skipped)
    return run


def metric_readers() -> dict:
    """provider -> its platform's metrics reader, for the networks other than X that have one."""
    from platforms.registry import PLATFORMS

    return {name: import_string(p.metrics) for name, p in PLATFORMS.items() if p.metrics}


def _refresh_elsewhere(read, account: Account, channels: list[PostChannel], *, run: MetricsRun,
                       now: dt.datetime) -> None:
    """Another network's counts, read with the account's own token. What the reader leaves (its
    own cap per run, or a failure: a 429, a refused token) waits for the next run."""
    if not _can_read_itself(account):
        run.skipped += len(channels)
        return
    by_id = {c.remote_id: c for c in channels}
    done = 0
    try:
        for remote_id, counts in read(account, list(by_id)):
            channel = by_id[remote_id]
            if counts is None:
                counts = {**channel.metrics, "unavailable": True}
                run.unavailable += 1
            else:
                run.updated += 1
            PostChannel.objects.filter(pk=channel.pk).update(metrics=counts, metrics_updated_at=now)
            done += 1
    except PublishError as exc:
        log.warning("%s metrics for account %s not read: %s", account.provider, account.pk, exc.kind)
    run.skipped += len(by_id) - done


def _can_read_itself(account: Account) -> bool:
    return account.state == Account.State.CONNECTED


def _refresh_account(account: Account, channels: list[PostChannel], *, use_app: bool, run: MetricsRun,
                     now: dt.datetime) -> None:
    for start in range(0, len(channels), TWEETS_PER_LOOKUP):
        batch = channels[start:start + TWEETS_PER_LOOKUP]
        try:
            tweets, budget = _lookup(account, [c.remote_id for c in batch], use_app=use_app)
        except (XError, AccountUnusable) as exc:
            run.skipped += len(channels) - start
            log.warning("X metrics for account %s not read: %s", account.pk, getattr(exc, "kind", exc))
            if isinstance(exc, XError) and exc.kind == ErrorKind.RATE_LIMITED:
                raise _Spent from exc
            return
        by_id = {str(t.get("id")): t for t in tweets}
        for channel in batch:
            tweet = by_id.get(channel.remote_id)
            if tweet is None:
                metrics = {**channel.metrics, "unavailable": True}
                run.unavailable += 1
            else:
                metrics = _metrics(tweet.get("public_metrics") or {})
                run.updated += 1
            PostChannel.objects.filter(pk=channel.pk).update(metrics=metrics, metrics_updated_at=now)
        if budget is not None and budget.remaining == 0 and start + TWEETS_PER_LOOKUP < len(channels):
            run.skipped += len(channels) - start - TWEETS_PER_LOOKUP
            raise _Spent


def _lookup(account: Account, ids: list[str], *, use_app: bool):
    def read(client: XClient):
        return client.get_tweets(ids, tweet_fields="public_metrics"), client.last_rate_limit

    if use_app:
        credentials = AppBearerCredentials(bearer_token=settings.TWITTER_BEARER_TOKEN)
        with XClient(credentials, api_url=settings.X_API_URL) as client:
            costs_recorder.watch(client, account, x_app=costs_recorder.PLATFORM)  # the app's bearer token reads
            return read(client)
    return call_x(account, read)


def _metrics(public: dict) -> dict:
    return {ours: public[theirs] for theirs, ours in METRIC_NAMES.items() if public.get(theirs) is not None}
