"""The due-post dispatcher: `manage.py dispatch`, a small long-running process beside `qcluster`.

django-q2's scheduler ticks every 30 seconds, too coarse for "publish at 10:00:00". So every
machine that runs publishing workers also runs `manage.py dispatch` (scripts/run and
docs/deploy.md start the two together), which polls every DISPATCHER_POLL_SECONDS. Each poll
claims due channels with SELECT ... FOR UPDATE SKIP LOCKED, stamps them dispatched, and enqueues
their posts (ids only) for the workers. Several dispatchers at once are safe: SKIP LOCKED hands
each due channel to one of them (PostgreSQL; on SQLite, where one machine runs, the lock is a
no-op), and the channel claim in publish_post decides who sends in any case. Nothing checks
whether a dispatcher is alive: the process supervisor restarts it, and /healthz/publishing
answers 503 when no dispatcher has beaten for a while (DISPATCHER_STALL_SECONDS).

Every few seconds a dispatcher also settles posts whose channels are all done while the post
still says approved or processing (their worker died right before settling them).

Due is PostChannel.objects.due (posts/models.py): queued on an approved post whose time has come;
a retry or an unknown outcome whose wait is over; or "sending" past its lease (the worker
vanished). A dispatched channel is handed out again only after DISPATCHER_REDISPATCH_SECONDS, in
case its task was lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Dispatcher, Post, PostChannel
from .publishing import PENDING, enqueue_publish_many, settle

log = logging.getLogger(__name__)

State = PostChannel.State
NAME = "due-posts"
BEAT_EVERY = 1.0  # seconds between heartbeats (a poll is more frequent)


def _not_handed_out(now: dt.datetime) -> Q:
    """Q for a channel no worker has been handed yet: never dispatched, dispatched longer than
    DISPATCHER_REDISPATCH_SECONDS ago (its task may be lost), or abandoned since its dispatch."""
    redispatch = dt.timedelta(seconds=settings.DISPATCHER_REDISPATCH_SECONDS)
    return (
        Q(dispatched_at__isnull=True)
        | Q(dispatched_at__lt=now - redispatch)
        | (Q(state=State.SENDING) & Q(dispatched_at__lt=F("claimed_at")))
    )


def dispatch_due(*, limit: int | None = None) -> list[int]:
    """Hand every due channel's post to a worker once, at most `limit` (DISPATCHER_LIMIT)
    channels per call, in batches of PUBLISH_BATCH_SIZE posts per task. Returns the post ids
    enqueued."""
    limit = int(limit or settings.DISPATCHER_LIMIT)
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            PostChannel.objects.due(now)
            .filter(_not_handed_out(now))
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", "post_id")[:limit]
        )
        if rows:
            PostChannel.objects.filter(pk__in=[pk for pk, _ in rows]).update(dispatched_at=now)
    post_ids = sorted({post_id for _, post_id in rows})
    enqueue_publish_many(post_ids)
    if post_ids:
        log.info("Dispatched due post(s) %s", ", ".join(map(str, post_ids)))
    return post_ids


def settle_orphans(*, limit: int = 100) -> list[int]:
    """Settle posts whose channels are all done but whose own status was never set: their worker
    died between recording the last channel and settling the post (found by the chaos run).
    Returns the post ids settled."""
    stale = timezone.now() - dt.timedelta(seconds=float(settings.DISPATCHER_SETTLE_AFTER_SECONDS))
    orphans = (
        Post.objects.filter(status__in=[Post.Status.APPROVED, Post.Status.PROCESSING], updated_at__lt=stale)
        .filter(channels__isnull=False)
        .exclude(channels__state__in=PENDING)
        .select_related("task__user", "task__reseller")
        .distinct()[:limit]
    )
    settled = []
    for post in orphans:
        if settle(post) in (Post.Status.PUBLISHED, Post.Status.FAILED):
            settled.append(post.pk)
    if settled:
        log.warning("Settled post(s) %s left unsettled by a worker that died", ", ".join(map(str, settled)))
    return settled


def beat() -> None:
    """Record that a dispatcher is polling (what /healthz/publishing reports as its last beat)."""
    now = timezone.now()
    if not Dispatcher.objects.filter(name=NAME).update(beat_at=now):
        Dispatcher.objects.get_or_create(name=NAME, defaults={"beat_at": now})


def run(*, poll: float | None = None, stop: threading.Event | None = None) -> int:
    """Poll for due channels until `stop` is set. Returns how many posts it enqueued."""
    poll = float(poll if poll is not None else settings.DISPATCHER_POLL_SECONDS)
    stop = stop or threading.Event()
    limit = int(settings.DISPATCHER_LIMIT)
    settle_every = float(settings.DISPATCHER_SETTLE_AFTER_SECONDS) / 2
    next_beat = next_settle = time.monotonic()
    enqueued = 0
    while not stop.is_set():
        started = time.monotonic()
        handed: list[int] = []
        try:
            if started >= next_beat:
                beat()
                next_beat = started + BEAT_EVERY
            handed = dispatch_due(limit=limit)
            enqueued += len(handed)
            if started >= next_settle:
                settle_orphans()
                next_settle = started + settle_every
        except Exception as exc:  # a dispatcher that exits hands nothing out: log, wait, go on
            log.exception("Due-post dispatcher: the poll failed; trying again")
            if isinstance(exc, DatabaseError):  # restarted or failed over: reconnect next poll
                connections.close_all()
            stop.wait(poll)
        if len(handed) < limit:  # else more are due: go on at once
            stop.wait(max(0.0, poll - (time.monotonic() - started)))
    return enqueued
