"""The publishing pipeline: an approved post reaches each of its channels exactly once.

The channel row decides, never the task queue. A worker claims a channel with one conditional
UPDATE (queued/retry -> sending, claimed_at = its lease token), works outside any transaction,
renews the lease while it uploads, checks it is still the owner just before the POST, and records
the answer. So a task delivered twice, two workers, or two machines send once. A worker that dies
leaves the channel in "sending"; once the lease is over, the next worker treats it as "unknown".
An unknown outcome (timeout, lost connection, unreadable answer after the request left) is never
sent again blindly: X has no idempotency key, so the account's recent tweets are read first.

A thread (Post.thread: part 1 is the post, parts 2..n its PostParts) goes out on each channel in
order under the same claim: part 1, then each part as a reply to the one before. Each part's tweet
is recorded the moment X answers (part 1's on the PostChannel, later parts' on ChannelPart rows),
before the next part is sent, and the lease is checked before every POST. So a resumed channel
skips the parts with a remote id, and only the first part without one can have an unknown
outcome: it is reconciled (same text, replying to the part before) before anything is sent.

This module is the only writer of a channel's state: queued (hand_over, retry), claimed
(_claim), a part recorded (_record_part), published, failed or waiting to retry (_failed), held
(hold_waiting on socials' account_disconnected signal, _hold_shared_app, and _hold_claimed when a
spend cap of costs.caps says wait) and released (release: release_held on account_connected, and
costs.caps.set_cap). Of a post's status, the review (posts.services) writes pending, approved and
rejected; this module writes processing, published and failed, and failed back to approved (retry).
tests/posts/test_one_writer.py holds every door to that.
What "due" means is defined once, in posts.models (post_due, claimable).

Entry points: hand_over (on approval), publish_post (the django-q2 task, the retry action and
POST /socials/publish/twitter all end here), publish_posts (several due posts in one worker, sent
concurrently by a bounded thread pool: each thread still claims each channel with its own
conditional UPDATE, so concurrency changes nothing about who sends), enqueue_publish_many (the
tasks' one home), settle (a post's status from its channels).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import queue
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Value, When, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone

from costs import recorder as costs_recorder
from platforms.registry import platform_label
from socialhub import compiled
from socials.error_kinds import ErrorKind
from socials.publishers import AttemptKey, MediaFile, Published, PublishError, publisher_for

from . import signals
from .media import public_url
from .models import ChannelPart, Post, PostChannel, PostMedia, PostPart, ThreadPart, claimable, lease

log = logging.getLogger(__name__)

State = PostChannel.State
PENDING = (State.QUEUED, State.SENDING, State.UNKNOWN, State.RETRY, State.HELD)
CLAIMABLE_STATES = (State.QUEUED, State.SENDING, State.UNKNOWN, State.RETRY)  # when their time has come
# error_kind of a channel given up on while X may have its tweet.
UNRESOLVED = ErrorKind.UNRESOLVED
# error_kind of a channel whose answer was lost and whose lookup did not find the tweet: X's
# timeline can lag, so a "duplicate" to its retry is most likely that very tweet.
LOST_NOT_FOUND = ErrorKind.LOST_NOT_FOUND
# Media must outlive the POST that uses it: re-upload when it expires sooner than this.
MEDIA_MARGIN = dt.timedelta(minutes=10)


# --- Handing over ---------------------------------------------------------------------------


def hand_over(post: Post) -> None:
    """Queue an approved post's unpublished channels: at once (after commit) when it is due,
    else the due-post dispatcher hands it to a worker at its time."""
    now = timezone.now()
    due = post.is_due(now)
    post.channels.exclude(state=State.PUBLISHED).update(
        # A channel given up on with its outcome unknown is reconciled before anything is sent.
        state=Case(When(error_kind=UNRESOLVED, then=Value(State.UNKNOWN)), default=Value(State.QUEUED)),
        next_attempt_at=None,
        claimed_at=None,
        attempts=0,
        # Kept for a channel still to reconcile: X is searched back to its first attempt.
        first_attempt_at=Case(When(error_kind=UNRESOLVED, then=F("first_attempt_at")), default=None),
        last_error="",
        error_kind="",
        dispatched_at=now if due else None,  # enqueued here: the dispatcher need not do it too
        updated_at=now,
    )
    _hold_disconnected(post)
    _hold_shared_app(post)
    if due:
        transaction.on_commit(lambda: enqueue_publish_many([post.pk]))


# --- Holding: channels wait for their account (disconnected, or sharing an X app) -----------


def _hold_disconnected(post: Post) -> None:
    """A channel whose account was disconnected waits, held, until the client reconnects it."""
    from socials.models import Account

    waiting = post.channels.exclude(state=State.PUBLISHED)
    for account in Account.objects.filter(post_channels__in=waiting, state=Account.State.DISCONNECTED).distinct():
        hold(waiting, account)


def _hold_shared_app(post: Post) -> None:
    """Identical text through one X app to several accounts is not allowed: every channel but the
    first of those sharing an app waits, held (agency.same_app says which and why)."""
    from agency.same_app import shared_app_holds

    for channel, message in shared_app_holds(post):
        hold(PostChannel.objects.filter(pk=channel.pk), channel.account, message=message, kind=ErrorKind.SAME_APP)


def held_message(account) -> str:
    return f"Held: {account} was disconnected from SocialHub. Reconnect it and this post goes on."


def hold(channels, account, *, message: str = "", kind: str = ErrorKind.DISCONNECTED) -> int:
    """Hold the account's channels among `channels` until it is reconnected (`message` says why:
    by default, that it was disconnected). Returns how many."""
    return channels.filter(account=account).update(
        state=State.HELD,
        last_error=message or held_message(account),
        error_kind=kind,
        next_attempt_at=None,
        dispatched_at=None,
        updated_at=timezone.now(),
    )


def hold_waiting(sender, *, account, **kwargs) -> int:
    """socials' account_disconnected: hold the channels waiting to be sent to it (not those being
    sent, nor those whose outcome is unknown: their worker settles them). Returns how many."""
    return hold(PostChannel.objects.filter(state__in=[State.QUEUED, State.RETRY]), account)


def release_held(sender, *, account, **kwargs) -> int:
    """socials' account_connected: queue the account's held channels again (see release)."""
    return release(PostChannel.objects.filter(account=account, state=State.HELD))


def release(held) -> int:
    """Queue the held channels `held` (a queryset) again, and hand the due ones' posts to workers
    after commit. A channel tried before it was held is reconciled first (X is read before
    anything is sent again). Returns how many were released."""
    held = held.filter(state=State.HELD)
    post_ids = set(held.values_list("post_id", flat=True))
    due = list(Post.objects.filter(pk__in=post_ids).due().values_list("pk", flat=True))
    now = timezone.now()
    released = held.update(
        state=Case(When(first_attempt_at__isnull=False, then=Value(State.UNKNOWN)), default=Value(State.QUEUED)),
        last_error="",
        error_kind="",
        next_attempt_at=None,
        dispatched_at=Case(When(post_id__in=due, then=Value(now)), default=None),
        updated_at=now,
    )
    if due:
        transaction.on_commit(lambda: enqueue_publish_many(due))
    return released


def retry(post: Post) -> None:
    """A failed post is tried again: approved once more, its unpublished channels handed over
    afresh (posts.services.retry_post checks who may, and that it failed)."""
    Post.objects.filter(pk=post.pk, status=Post.Status.FAILED).update(
        status=Post.Status.APPROVED, updated_at=timezone.now()
    )
    post.status = Post.Status.APPROVED
    hand_over(post)


def enqueue_publish_many(post_ids: Sequence[int]) -> None:
    """Hand posts to django-q2 workers, ids only: one task per PUBLISH_BATCH_SIZE posts, whose
    worker sends them concurrently (publish_posts). The only place that names the tasks."""
    from django_q.tasks import async_task

    size = max(1, settings.PUBLISH_BATCH_SIZE)
    for start in range(0, len(post_ids), size):
        batch = list(post_ids[start : start + size])
        if len(batch) == 1:
            async_task("posts.tasks.publish", batch[0])
        else:
            async_task("posts.tasks.publish_many", batch)


# --- Publishing -----------------------------------------------------------------------------


class LeaseLost(Exception):
    """Another worker took this channel over (our lease ran out): stop without sending."""


class _Lease:
    """The claim on one channel. claimed_at is both the lease's start and its owner's token."""

    def __init__(self, channel: PostChannel):
        self.channel = channel
        self.token = channel.claimed_at
        self.every = lease() / 6
        self.last_beat = time.monotonic()

    def beat(self, *, force: bool = False) -> None:
        """Renew the lease (at most every lease/6 unless forced). Raises LeaseLost."""
        if not force and time.monotonic() - self.last_beat < self.every.total_seconds():
            return
        now = timezone.now()
        renewed = PostChannel.objects.filter(pk=self.channel.pk, state=State.SENDING, claimed_at=self.token).update(
            claimed_at=now
        )
        if not renewed:
            raise LeaseLost(f"channel {self.channel.pk}")
        self.token = self.channel.claimed_at = now
        self.last_beat = time.monotonic()


@dataclass
class ChannelResult:
    channel: PostChannel
    state: str
    message: str = ""


def _loading():
    from costs import caps

    channels = PostChannel.objects.select_related("account").annotate(may_be_capped=caps.may_apply())
    return Post.objects.select_related("task__user", "task__reseller").prefetch_related(  # notifications name them
        Prefetch("channels", queryset=channels)
    ).annotate(has_media=Exists(PostMedia.objects.filter(post=OuterRef("pk"))),
               has_parts=Exists(PostPart.objects.filter(post=OuterRef("pk"))))


def _read(posts: Sequence[Post]) -> None:
    """Read the posts' media and thread parts, for those that have any (most have neither: no
    query for them), as the lists Post.thread reads (models.related_list)."""
    for post in posts:
        if not post.has_media:
            post.media_list = []
        if not post.has_parts:
            post.parts_list = []
    parts = PostPart.objects.prefetch_related(Prefetch("media", to_attr="media_list"))
    prefetch_related_objects([p for p in posts if p.has_media], Prefetch("media", to_attr="media_list"))
    prefetch_related_objects([p for p in posts if p.has_parts], Prefetch("parts", queryset=parts, to_attr="parts_list"))


def _load(post_id: int) -> Post | None:
    post = _loading().filter(pk=post_id).first()
    if post is not None:
        _read([post])
    return post


def _sent_parts(post: Post, thread: list[ThreadPart]) -> dict[int, dict[int, ChannelPart]]:
    """What each channel already sent of parts 2..n: {channel id: {position: ChannelPart}}.
    No query for a single post."""
    if len(thread) == 1:
        return {}
    found: dict[int, dict[int, ChannelPart]] = {}
    for record in ChannelPart.objects.filter(channel__post_id=post.pk).select_related("part"):
        found.setdefault(record.channel_id, {})[record.part.position] = record
    return found


def _claim(channel: PostChannel, text: str, now: dt.datetime) -> bool:
    """Take the channel with one conditional UPDATE, if it is claimable (models.claimable) and still
    as read; False if it is not, or another worker has it."""
    # A vanished worker's channel ("sending"): take over exactly that lease.
    statement = _claim_statement(channel.state == State.SENDING, settings.PUBLISH_LEASE_SECONDS)
    claimed = _run(statement, now=now, pk=channel.pk, state=channel.state, token=channel.claimed_at, text=text)
    if claimed:
        channel.claimed_at, channel.sent_text = now, text
        channel.attempts += 1
        channel.first_attempt_at = channel.first_attempt_at or now
    return bool(claimed)


def _run(statement: compiled.Statement, **values) -> int:
    """Send a precompiled UPDATE with this call's values; how many rows it changed."""
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.bind(**values))
        return cursor.rowcount


@functools.cache
def _claim_statement(taking_over: bool, lease_seconds: int) -> compiled.Statement:
    """The claim's conditional UPDATE, compiled by the ORM from models.claimable once per process
    (per shape, and per lease: claimable reads it). Compiling it for every claim cost about 2 ms
    of CPU, a sixth of a publish (docs/performance.md)."""
    now = compiled.slot(PostChannel, "now", "claimed_at")
    mine = PostChannel.objects.filter(
        claimable(now), pk=compiled.slot(PostChannel, "pk", "id"), state=compiled.slot(PostChannel, "state")
    )
    if taking_over:
        mine = mine.filter(claimed_at=compiled.slot(PostChannel, "token", "claimed_at"))
    return compiled.update(mine, {
        "state": State.SENDING,
        "claimed_at": now,
        "attempts": F("attempts") + 1,
        "first_attempt_at": Coalesce("first_attempt_at", now),
        "sent_text": compiled.slot(PostChannel, "text", "sent_text"),
        "updated_at": now,
    })


def publish_post(*, post_id: int, timeout: tuple[float, float] | None = None) -> Post | None:
    """Publish every due, unclaimed channel of an approved post, then settle the post's status.

    Safe to call any number of times, from any number of workers at once. Call it outside any
    transaction: the claims must be visible to other workers before X is called. Returns the post
    as loaded (its channels as this call left them), or None if it no longer exists. `timeout`
    bounds the wait for X's answer to each POST (the synchronous endpoint uses a short one).
    """
    post = _load(post_id)
    if post is None:
        log.warning("Post %s is gone: nothing to publish", post_id)
        return None
    return _publish_loaded(post, timeout=timeout)


def _publish_loaded(post: Post, *, timeout: tuple[float, float] | None = None) -> Post:
    now = timezone.now()
    if not post.is_due(now):
        log.info("Post %s is %s%s: nothing to publish", post.pk, post.get_status_display().lower(),
                 f", scheduled for {post.schedule_at.isoformat()}" if post.schedule_at else "")
        return post
    # Each channel that may be claimable is offered to the claim, which decides (models.claimable).
    channels = [c for c in post.channels.all() if c.state in CLAIMABLE_STATES]
    if channels:
        log.info("Publishing post %s for user: %s", post.pk, post.task.user_id)
        if post.status == Post.Status.APPROVED:
            Post.objects.filter(pk=post.pk, status=Post.Status.APPROVED).update(
                status=Post.Status.PROCESSING, updated_at=now
            )
        thread = post.thread
        sent = _sent_parts(post, thread)
        # The post's only channel: the statement that records it published settles the post too.
        settles = post if len(post.channels.all()) == 1 else None
        for channel in channels:
            # A per-network text (Post.text_overrides) replaces part 1's text on that network.
            own = post.thread_for(channel.account.provider) if post.text_overrides else thread
            if _claim(channel, own[0].text, timezone.now()):
                with costs_recorder.for_post(post.pk):  # what X charges for it is the post's spend
                    publish_channel(channel, thread=own, sent=sent.get(channel.pk, {}), timeout=timeout, settles=settles)
        if post.status == Post.Status.PUBLISHED:  # settled with its channel (_published)
            _announce(post)
            return post
    everyone = post.channels.all()
    if channels and len(channels) == len(everyone) and all(c.state == State.PUBLISHED for c in everyone):
        settle(post, states={State.PUBLISHED})  # all ours and published: nothing can change that
    else:
        settle(post)
    return post


def publish_posts(*, post_ids: Sequence[int], threads: int | None = None) -> None:
    """Publish several posts concurrently: at most `threads` (PUBLISH_THREADS) at once, each in
    a thread of this process's _Senders with its own database connection, kept for the next batch.

    The batch is read in one go (two to five queries, not per post) and its approved posts are
    marked processing in one UPDATE; then each post goes through the same steps as publish_post,
    so every claim (conditional on the channel's state as read), lease and reconcile works as for
    one post. A post that raises is logged and left to the dispatcher (its channel stays queued,
    or "sending" until its lease runs out). Call it outside any transaction.
    """
    threads = max(1, threads or settings.PUBLISH_THREADS)
    ids = []
    for post_id in post_ids:
        try:
            ids.append(int(post_id))
        except (TypeError, ValueError):
            log.error("Not a post id: %r", post_id)
    posts = list(_loading().filter(pk__in=set(ids)).order_by("schedule_at", "pk"))
    _read(posts)
    if len(posts) < len(set(ids)):
        log.warning("Post(s) %s are gone: nothing to publish", sorted(set(ids) - {p.pk for p in posts}))
    now = timezone.now()
    starting = [p.pk for p in posts if p.status == Post.Status.APPROVED and p.is_due(now)]
    if starting:
        Post.objects.filter(pk__in=starting, status=Post.Status.APPROVED).update(
            status=Post.Status.PROCESSING, updated_at=now
        )
        for post in posts:
            if post.pk in starting:
                post.status = Post.Status.PROCESSING
    if len(posts) <= 1 or threads == 1:
        for post in posts:
            _publish_logged(post)
        return
    _senders(threads).publish(posts)


class _Senders:
    """This process's publishing threads, at most `size` (PUBLISH_THREADS), each with its own
    database connection, kept from one batch to the next: a batch used to start threads of its
    own, each opening a PostgreSQL connection (a backend forked, its caches filled) and closing it
    at the end, about one connection for every two posts of a burst (docs/performance.md). A
    thread starts when a batch needs it; before each post it drops its connection if that failed,
    outlived CONN_MAX_AGE or no longer answers (close_old_connections, as a request does); idle
    for IDLE_SECONDS, it closes the connection and ends."""

    IDLE_SECONDS = 30.0

    def __init__(self, size: int):
        self.size = size
        self.todo: queue.SimpleQueue = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.running = 0
        self.threads: list[threading.Thread] = []

    def publish(self, posts: Sequence[Post]) -> None:
        """Publish `posts`, at most `size` at once; return when every one is done."""
        left, lock, done = [len(posts)], threading.Lock(), threading.Event()

        def finished() -> None:
            with lock:
                left[0] -= 1
                if not left[0]:
                    done.set()

        with self.lock:
            for post in posts:
                self.todo.put((post, finished))
            for _ in range(min(self.size, len(posts)) - self.running):
                self.running += 1
                thread = threading.Thread(target=self._serve, name=f"publish-{self.running}", daemon=True)
                self.threads = [t for t in self.threads if t.is_alive()] + [thread]
                thread.start()
        done.wait()

    def stop(self) -> None:
        """End every thread once the work handed to it is done, each closing its connection."""
        with self.lock:
            for _ in range(self.running):
                self.todo.put(None)
        for thread in self.threads:
            thread.join(timeout=30)

    def _serve(self) -> None:
        try:
            while True:
                try:
                    item = self.todo.get(timeout=self.IDLE_SECONDS)
                except queue.Empty:
                    with self.lock:  # nothing was handed out meanwhile: end (else go on)
                        if self.todo.empty():
                            self.running -= 1
                            return
                    continue
                if item is None:
                    with self.lock:
                        self.running -= 1
                    return
                post, finished = item
                try:
                    close_old_connections()
                    _publish_logged(post)
                except Exception:  # the thread must live on: its batch and later ones count on it
                    log.exception("Publishing post %s: the database connection could not be checked", post.pk)
                finally:
                    finished()
        finally:
            connection.close()  # this thread's own connection


_senders_by_size: dict[tuple[int, int], _Senders] = {}


def _senders(size: int) -> _Senders:
    """This process's _Senders of `size` threads (a forked child starts its own)."""
    key = (os.getpid(), size)
    return _senders_by_size.get(key) or _senders_by_size.setdefault(key, _Senders(size))


def stop_senders() -> None:
    """End this process's publishing threads, closing their connections (tests, before the test
    database is dropped)."""
    for senders in _senders_by_size.values():
        senders.stop()
    _senders_by_size.clear()


def _publish_logged(post: Post) -> None:
    try:
        _publish_loaded(post)
    except Exception:  # one post's bug must not stop the others in its batch
        log.exception("Publishing post %s raised; the dispatcher will hand it out again", post.pk)


def publish_channel(
    channel: PostChannel,
    *,
    thread: Sequence[ThreadPart],
    sent: dict[int, ChannelPart] | None = None,
    timeout: tuple[float, float] | None = None,
    settles: Post | None = None,
) -> ChannelResult:
    """Send one claimed channel (state "sending", claimed by us): its thread's parts in order,
    each as a reply to the one before. Records each part's tweet as soon as X answers; parts
    already on X (a remote id recorded) are skipped, so a resumed thread never sends them twice.
    `sent`: the channel's ChannelPart rows by position. Records the outcome on the rows.
    `settles`: the channel's post, when this is its only channel: published with it (_published)."""
    account = channel.account
    held = _Lease(channel)
    sent = dict(sent or {})
    # A channel taken over from "unknown" or from a vanished worker may already have its next
    # part on X: only that part (the first without a remote id) is in doubt; later ones never left.
    must_reconcile = channel.state in (State.UNKNOWN, State.SENDING)
    # An earlier attempt may have created the next part's tweet: X's "duplicate" to this one then
    # most likely means ours, and must not fail the post while the tweet is there.
    doubted = must_reconcile or channel.error_kind == LOST_NOT_FOUND
    channel.state = State.SENDING
    publisher = None
    try:
        publisher = publisher_for(account.provider)
        publisher.check(account, text=thread[0].text)
        for part in thread:
            problem = publisher.length_problem(account, part.text)
            if problem:
                raise PublishError(ErrorKind.TOO_LONG, problem if part.position == 1 else f"Part {part.position}: {problem}")
    except PublishError as exc:
        return _failed(channel, exc, unresolved=must_reconcile)
    if not must_reconcile:  # a channel in doubt may have spent already: it reconciles first
        capped = _held_by_spend_cap(channel, thread, sent)
        if capped:
            return capped
    reply_to = ""
    for part in thread:
        done = channel.remote_id if part.position == 1 else getattr(sent.get(part.position), "remote_id", "")
        if done:
            reply_to = done
            continue
        outcome = _send_part(
            channel, publisher, part, reply_to=reply_to, record=sent.get(part.position), held=held,
            must_reconcile=must_reconcile, doubted=doubted, single=len(thread) == 1, timeout=timeout,
            post_options=thread[0].post_options, settles=settles,
        )
        if isinstance(outcome, ChannelResult):
            return outcome  # failed, or another worker has the channel now
        must_reconcile = doubted = False
        reply_to = outcome.remote_id
    if len(thread) == 1:
        return ChannelResult(channel, State.PUBLISHED)
    return _published(channel, None, how=f"all {len(thread)} parts", settles=settles)


def _held_by_spend_cap(channel: PostChannel, thread, sent: dict) -> ChannelResult | None:
    """Hold the channel when what it still has to send would pass a monthly spend cap (costs/caps.py)."""
    from costs import caps

    todo = [part for part in thread
            if not (channel.remote_id if part.position == 1 else getattr(sent.get(part.position), "remote_id", ""))]
    reason = caps.reason_to_hold(channel, todo)
    if not reason or not _hold_claimed(channel, reason, ErrorKind.SPEND_CAP):
        return None
    log.warning("Channel %s held: %s", channel.pk, reason)
    post = Post.objects.select_related("task__user", "task__reseller").get(pk=channel.post_id)
    signals.send_on_commit(signals.post_held, post=post, reason=reason)  # the reseller and staff are told
    return ChannelResult(channel, State.HELD, reason)


def _hold_claimed(channel: PostChannel, reason: str, kind: str) -> bool:
    """Hold the channel we claimed, before it sent anything; False if it is not ours any more.
    The claim was no attempt: a channel never sent before is not in doubt, so its release queues
    it rather than reading X first."""
    held = PostChannel.objects.filter(pk=channel.pk, state=State.SENDING, claimed_at=channel.claimed_at).update(
        state=State.HELD, last_error=reason, error_kind=kind, claimed_at=None, dispatched_at=None,
        next_attempt_at=None, updated_at=timezone.now(), attempts=F("attempts") - 1,
        first_attempt_at=Case(When(attempts__lte=1, then=Value(None)), default=F("first_attempt_at")),
    )
    if held:
        channel.state, channel.last_error, channel.error_kind = State.HELD, reason, kind
    return bool(held)


def _options(publisher, part: ThreadPart, post_options) -> dict:
    """X's CreatePostsRequest options with part 1 (publishers with `post_options`), or a network's
    own settings of the post with every part (publishers with `network_options(PostOptions)`)."""
    if getattr(publisher, "post_options", False):
        return {"options": part.options} if part.options else {}
    if hasattr(publisher, "network_options") and post_options is not None:
        return {"options": publisher.network_options(post_options)}
    return {}


def _send_part(
    channel: PostChannel, publisher, part: ThreadPart, *, reply_to: str, record: ChannelPart | None,
    held: _Lease, must_reconcile: bool, doubted: bool, single: bool, timeout, post_options=None,
    settles: Post | None = None,
) -> Published | ChannelResult:
    """Send one part (reconciling first when its outcome is in doubt) and record its tweet.
    Returns the tweet, or the channel's result when it stops here (failure recorded)."""
    account = channel.account
    where = "" if single else f" (part {part.position})"
    try:
        if record is None and part.part is not None:
            try:
                record = ChannelPart.objects.create(
                    channel=channel, part=part.part, sent_text=part.text, in_reply_to=reply_to
                )
            except IntegrityError:  # only the lease holder gets here: someone else holds it now
                raise LeaseLost(f"channel {channel.pk}") from None
        key = AttemptKey(channel.pk, part.position, channel.first_attempt_at)
        if must_reconcile:
            found = publisher.find(
                account, text=part.text, since=channel.first_attempt_at, reply_to=reply_to or None, key=key
            )
            if found:
                _record_part(channel, part, record, found, single=single, how="found on X after an unknown outcome",
                             settles=settles)
                return found
            must_reconcile = False  # absent: safe to send
        media_ids = _media_ids(channel, record, publisher, part.media, held)
        # Still ours, right before the one call that must not repeat: the claim or the last beat
        # is at most lease/6 old (else this renews it), so the POST has 5/6 of a lease, longer
        # than X_TIMEOUT lets it take (tests/posts/test_queue_config.py), and nobody can take
        # the channel over meanwhile.
        held.beat()
        result = publisher.publish(
            account, text=part.text, media_ids=media_ids, reply_to=reply_to or None, timeout=timeout, key=key,
            **_options(publisher, part, post_options),
        )
    except LeaseLost:
        log.warning("Channel %s was taken over by another worker; not sending%s", channel.pk, where)
        return ChannelResult(channel, State.SENDING)
    except PublishError as error:
        exc = _in_part(error, part, single)
        if exc.kind == ErrorKind.DUPLICATE or (exc.outcome_unknown and not must_reconcile):
            found = _resolve(
                channel, publisher, exc, text=part.text, reply_to=reply_to, held=held, where=where, doubted=doubted,
                key=key,
            )
            if isinstance(found, Published):
                _record_part(channel, part, record, found, single=single, how="found on X after " + exc.kind,
                             settles=settles)
            return found
        return _failed(channel, exc, unresolved=must_reconcile)
    _record_part(channel, part, record, result, single=single, settles=settles)
    return result


def _in_part(exc: PublishError, part: ThreadPart, single: bool) -> PublishError:
    """The error, saying which part of a thread it concerns."""
    if single or part.position == 1:
        return exc
    message = f"Part {part.position}: {exc.user_message}"
    if exc.kind == ErrorKind.REPLY_NOT_SUMMONED:
        message += f". The thread stops here: the parts before part {part.position} stay published"
    return PublishError(
        exc.kind, message, permanent=exc.permanent,
        outcome_unknown=exc.outcome_unknown, retry_at=exc.retry_at, details=exc.details,
    )


def _resolve(
    channel, publisher, exc: PublishError, *, text: str, reply_to: str, held: _Lease, where: str = "",
    doubted: bool = False, key: AttemptKey | None = None,
) -> Published | ChannelResult:
    """X may have the tweet (the answer was lost, or X calls it a duplicate): look before retrying.
    `doubted`: an earlier attempt at this part has an unknown outcome, so a duplicate is likely ours."""
    if exc.outcome_unknown:
        log.warning("Channel %s%s: outcome unknown (%s); reading the account's tweets", channel.pk, where, exc.kind)
        time.sleep(settings.PUBLISH_RECONCILE_DELAY_SECONDS)
    try:
        held.beat(force=True)
        found = publisher.find(
            channel.account, text=text, since=channel.first_attempt_at, reply_to=reply_to or None, key=key
        )
    except LeaseLost:
        return ChannelResult(channel, State.SENDING)
    except PublishError as lookup:
        log.warning("Channel %s%s: could not read X to reconcile: %s", channel.pk, where, lookup.kind)
        if exc.kind == ErrorKind.DUPLICATE:
            # X has this text, perhaps from us: unsettled until X can be read.
            return _failed(channel, _still_unknown(channel, exc, retry_at=lookup.retry_at))
        return _failed(channel, exc, unresolved=True)
    if found:
        return found
    if exc.kind == ErrorKind.DUPLICATE and doubted and not _identical_elsewhere(channel, publisher, text):
        # X has this text and our earlier attempt may have made it, but the lookup does not show
        # it (yet: X's timeline can lag): look again later rather than fail a post that may be live.
        log.warning("Channel %s%s: X calls the retry a duplicate; looking again later", channel.pk, where)
        return _failed(channel, _still_unknown(channel, exc))
    if exc.kind == ErrorKind.DUPLICATE:
        return _failed(channel, exc)  # an older identical tweet: the text must change
    # Absent: nothing was created, so a retry is safe.
    kind = LOST_NOT_FOUND if exc.outcome_unknown else exc.kind
    return _failed(channel, PublishError(kind, exc.user_message, permanent=False))


def _identical_elsewhere(channel, publisher, text: str) -> bool:
    """Whether the account's newest tweets hold this text anyway (older than the first attempt,
    or answering another tweet): then that tweet, not ours, explains X's "duplicate"."""
    try:
        return publisher.find(channel.account, text=text, since=None) is not None
    except PublishError:
        return False  # unreadable: stay in doubt


def _still_unknown(channel: PostChannel, exc: PublishError, *, retry_at: dt.datetime | None = None) -> PublishError:
    """The outcome stays unknown: reconcile again later (the retry reads the network before sending)."""
    network = platform_label(channel.account.provider)
    return PublishError(
        UNRESOLVED, f"{network} did not answer, and may have published it anyway: checking {network} again",
        permanent=False, outcome_unknown=True, retry_at=retry_at, details=exc.details,
    )


def _media_ids(
    channel: PostChannel, record: ChannelPart | None, publisher, media: Sequence[PostMedia], held: _Lease
) -> list[str]:
    """X media ids of one part for this channel's account: those uploaded before while X still
    has them, else a fresh upload, remembered (on the channel for part 1, on the part's record
    after) so a retry does not upload again."""
    if not media:
        return []
    holder = record if record is not None else channel
    now = timezone.now()
    if (
        len(holder.media_ids or []) == len(media)
        and holder.media_expires_at
        and holder.media_expires_at > now + MEDIA_MARGIN
    ):
        return list(holder.media_ids)
    files = [
        MediaFile(
            open=lambda m=m: m.file.open("rb"), kind=m.kind, mime_type=m.mime_type, size=m.size, alt_text=m.alt_text,
            url=lambda m=m: public_url(m),
        )
        for m in media
    ]
    uploaded = publisher.upload_media(channel.account, files, heartbeat=held.beat)
    type(holder).objects.filter(pk=holder.pk).update(media_ids=uploaded.ids, media_expires_at=uploaded.expires_at)
    holder.media_ids, holder.media_expires_at = uploaded.ids, uploaded.expires_at
    log.info("Uploaded %d media file(s) for channel %s", len(uploaded.ids), channel.pk)
    return uploaded.ids


def _record_part(
    channel: PostChannel, part: ThreadPart, record: ChannelPart | None, result: Published, *, single: bool, how: str = "",
    settles: Post | None = None,
) -> None:
    """Write a part's tweet at once, whatever the lease says: the tweet exists, and a row must
    never forget it (nor take another id: the first one recorded stays)."""
    if how.startswith("found on X"):
        # Its answer was lost, but X created (and charged for) it: the ledger counts it now.
        costs_recorder.found_created(channel.account, result.remote_id, part.text)
    if single:
        _published(channel, result, how=how, settles=settles)
        return
    now = timezone.now()
    if part.position == 1:
        updated = PostChannel.objects.filter(pk=channel.pk, remote_id="").update(
            remote_id=result.remote_id, remote_url=result.url, updated_at=now
        )
        holder = channel
    else:
        updated = ChannelPart.objects.filter(pk=record.pk, remote_id="").update(
            remote_id=result.remote_id, remote_url=result.url, published_at=now, updated_at=now
        )
        holder = record
    if not updated:
        log.error("Channel %s part %s already had a tweet when %s arrived", channel.pk, part.position, result.remote_id)
    holder.remote_id, holder.remote_url = result.remote_id, result.url
    log.info(
        "%s publish result: post %s channel %s part %s post %s %s%s",
        platform_label(channel.account.provider), channel.post_id, channel.pk, part.position, result.remote_id, result.url, f" ({how})" if how else "",
    )


def _published(
    channel: PostChannel, result: Published | None, *, how: str = "", settles: Post | None = None
) -> ChannelResult:
    """The channel is done: every part is on X. `result`: a single post's tweet (a thread's
    parts were recorded one by one). `settles`: the channel's post, when this is its only channel:
    the same statement settles it as published (as settle would next), and sets it on the object."""
    now = timezone.now()
    tweet = {"remote_id": result.remote_id, "remote_url": result.url} if result else {}
    # Recorded whatever the lease says: the tweet exists, and a row must never forget it.
    if settles is None:
        updated = _run(_published_statement(bool(result)), pk=channel.pk, now=now, **tweet)
    elif connection.vendor == "postgresql":
        statement = _published_and_settled_statement(bool(result))
        with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
            cursor.execute(statement.sql, statement.bind(pk=channel.pk, post=settles.pk, now=now, **tweet))
            updated, settled = cursor.fetchone()
    else:  # SQLite has no UPDATE inside WITH: the two statements one after the other
        updated = _run(_published_statement(bool(result)), pk=channel.pk, now=now, **tweet)
        settled = _run(_settle_statement(Post.Status.PUBLISHED), post=settles.pk, now=now)
    if settles is not None and settled:
        settles.status, settles.published_at = Post.Status.PUBLISHED, now
    if not updated:
        log.error("Channel %s was already published when %s arrived", channel.pk, result.remote_id if result else "its last part")
    channel.state, channel.last_error, channel.error_kind = State.PUBLISHED, "", ""
    if result:
        channel.remote_id, channel.remote_url = result.remote_id, result.url
    log.info(
        "%s publish result: post %s channel %s post %s %s%s",
        platform_label(channel.account.provider), channel.post_id, channel.pk, channel.remote_id, channel.remote_url, f" ({how})" if how else "",
    )
    return ChannelResult(channel, State.PUBLISHED)


@functools.cache
def _published_statement(with_tweet: bool) -> compiled.Statement:
    """The channel's published UPDATE (with a single post's tweet, or without: a thread's parts
    were recorded one by one), compiled once per process like the claim."""
    now = compiled.slot(PostChannel, "now", "published_at")
    tweet = {"remote_id": compiled.slot(PostChannel, "remote_id"), "remote_url": compiled.slot(PostChannel, "remote_url")}
    return compiled.update(
        PostChannel.objects.filter(pk=compiled.slot(PostChannel, "pk", "id")).exclude(state=State.PUBLISHED),
        {"state": State.PUBLISHED, **(tweet if with_tweet else {}), "published_at": now, "last_error": "",
         "error_kind": "", "next_attempt_at": None, "updated_at": now},
    )


@functools.cache
def _published_and_settled_statement(with_tweet: bool) -> compiled.Statement:
    """The channel's published UPDATE and its post's settle UPDATE to published, in one statement
    (the post's only channel; PostgreSQL): how many rows each changed."""
    channel, post = _published_statement(with_tweet), _settle_statement(Post.Status.PUBLISHED)
    return compiled.Statement(
        f"WITH channel AS ({channel.sql} RETURNING 1), post AS ({post.sql} RETURNING 1) "
        "SELECT (SELECT count(*) FROM channel), (SELECT count(*) FROM post)",
        channel.params + post.params,
    )


def backoff(attempts: int) -> dt.timedelta:
    """Exponential, capped, with a little jitter so retries of many posts do not collide."""
    delay = min(settings.PUBLISH_RETRY_MAX_SECONDS, settings.PUBLISH_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=delay * random.uniform(1.0, 1.1))


def _failed(channel: PostChannel, exc: PublishError, *, unresolved: bool = False) -> ChannelResult:
    """Record a failure: retry later (with backoff, or after the rate limit's reset), reconcile
    later (outcome still unknown), or give up (permanent, or attempts or deadline spent)."""
    now = timezone.now()
    # Once a lost answer's tweet was not found, the channel stays in doubt until it is published:
    # a retry failing for another passing reason must not forget that.
    in_doubt = exc.kind == LOST_NOT_FOUND or (channel.error_kind == LOST_NOT_FOUND and not exc.permanent)
    unknown = unresolved or exc.outcome_unknown
    deadline = (channel.first_attempt_at or now) + dt.timedelta(seconds=settings.PUBLISH_DEADLINE_SECONDS)
    retry_at = max(exc.retry_at + dt.timedelta(seconds=1), now) if exc.retry_at else now + backoff(channel.attempts)
    message = exc.user_message
    kind = exc.kind
    # Waiting out X's rate limit is X's doing, not a failed try: it spends no attempt.
    waiting = exc.kind == ErrorKind.RATE_LIMITED and exc.retry_at is not None
    if exc.permanent or (channel.attempts >= settings.PUBLISH_MAX_ATTEMPTS and not waiting) or retry_at > deadline:
        state = State.FAILED
        if unknown or in_doubt:
            # Given up without knowing: a later retry must read X first (see hand_over).
            kind = UNRESOLVED
            if not exc.permanent:
                network = platform_label(channel.account.provider)
                message = f"{network} did not answer, and may have published it anyway: check {network} before retrying"
    else:
        state = State.UNKNOWN if unknown else State.RETRY
        if in_doubt and state == State.RETRY:
            kind = LOST_NOT_FOUND
    fields = {
        "state": state,
        "last_error": message,
        "error_kind": kind[:32],
        "next_attempt_at": retry_at if state != State.FAILED else None,
        "dispatched_at": None,
        "updated_at": now,
    }
    # Only the lease holder records its failure (a taken-over channel is someone else's now).
    PostChannel.objects.filter(pk=channel.pk, state=State.SENDING, claimed_at=channel.claimed_at).update(**fields)
    channel.state, channel.last_error, channel.error_kind = state, message, kind
    channel.next_attempt_at = fields["next_attempt_at"]
    if state == State.FAILED:
        log.error("Error publishing to %s: post %s channel %s failed: %s (%s)",
                  platform_label(channel.account.provider), channel.post_id, channel.pk, message, exc.kind)
    else:
        log.warning("Error publishing to %s: post %s channel %s will %s at %s: %s (%s)",
                    platform_label(channel.account.provider), channel.post_id, channel.pk, "reconcile" if unknown else "retry",
                    retry_at.isoformat(), message, exc.kind)
    return ChannelResult(channel, state, message)


def settle(post: Post, *, states: set[str] | None = None) -> int:
    """Set the post's status from its channels: published when all are, failed when none is
    pending and one failed. Conditional, so it never overrides a newer decision. Returns it.
    `states`: the channels' states when the caller knows them for certain (else they are read).

    The signals' receivers get the post with its channels prefetched only when `states` was given
    (the caller's channels are then current); otherwise the prefetched channels, possibly stale,
    are dropped and receivers read them afresh."""
    if states is None:
        states = set(PostChannel.objects.filter(post_id=post.pk).values_list("state", flat=True))
        getattr(post, "_prefetched_objects_cache", {}).pop("channels", None)
    now = timezone.now()
    if states and states == {State.PUBLISHED}:
        if _run(_settle_statement(Post.Status.PUBLISHED), post=post.pk, now=now):
            post.status, post.published_at = Post.Status.PUBLISHED, now
            _announce(post)
    elif states and not states & set(PENDING) and State.FAILED in states:
        if _run(_settle_statement(Post.Status.FAILED), post=post.pk, now=now):
            post.status = Post.Status.FAILED
            log.error("Post %s failed to publish", post.pk)
            signals.send_on_commit(signals.post_failed, post=post)
    return post.status


def _announce(post: Post) -> None:
    """Tell whoever wants to know (after commit) that the post was settled as published."""
    log.info("Post %s published", post.pk)
    signals.send_on_commit(signals.post_published, post=post)


@functools.cache
def _settle_statement(status: str) -> compiled.Statement:
    """A post's conditional UPDATE to published or failed, compiled once per process (compiling
    it for every post cost about as much CPU as the claim did)."""
    now = compiled.slot(Post, "now", "updated_at")
    active = Post.objects.filter(pk=compiled.slot(Post, "post", "id"), status__in=[Post.Status.APPROVED, Post.Status.PROCESSING])
    published = {"published_at": now} if status == Post.Status.PUBLISHED else {}
    return compiled.update(active, {"status": status, **published, "updated_at": now})
