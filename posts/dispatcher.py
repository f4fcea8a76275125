"""The due-post dispatcher: hands channels to workers the moment they are due.

django-q2's scheduler ticks every 30 seconds, too coarse for "publish at 10:00:00". So a minute
schedule (created by the posts migration) starts `posts.tasks.dispatch`, which polls every few
hundred milliseconds for about 100 seconds. Each new loop takes over from the previous one (the
Dispatcher row holds the current loop's token), so there is no gap between runs and no pile-up.
Each poll claims due channels with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL; a no-op on
SQLite, where one dispatcher runs), stamps them dispatched, and enqueues their posts (ids only).
Even two loops at once are harmless: the channel claim in publish_post decides who sends.

A loop whose worker was killed (SIGKILL, out of memory) would leave a gap until the next minute's
schedule; so every worker django-q2 spawns checks whether the current loop's process, on its own
host, is gone, and if so one of them enqueues a new loop at once (`revive`).

Every few seconds the loop also settles posts whose channels are all done while the post still
says approved or processing (their worker died right before settling them).

Due means: queued on an approved post whose time has come; a retry or an unknown outcome whose
wait is over; or "sending" past its lease (the worker vanished). A dispatched channel is handed
out again only after DISPATCHER_REDISPATCH_SECONDS, in case its task was lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import uuid

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Dispatcher, Post, PostChannel
from .publishing import PENDING, enqueue_publish_many, lease, settle

log = logging.getLogger(__name__)

State = PostChannel.State
NAME = "due-posts"


def due_channels(now: dt.datetime):
    redispatch = dt.timedelta(seconds=float(getattr(settings, "DISPATCHER_REDISPATCH_SECONDS", 60)))
    queued = (
        Q(state=State.QUEUED, post__status__in=[Post.Status.APPROVED, Post.Status.PROCESSING])
        & (Q(post__schedule_at__isnull=True) | Q(post__schedule_at__lte=now))
    )
    waited = Q(state__in=[State.RETRY, State.UNKNOWN]) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    abandoned = Q(state=State.SENDING, claimed_at__lt=now - lease())
    fresh = (
        Q(dispatched_at__isnull=True)
        | Q(dispatched_at__lt=now - redispatch)
        | (Q(state=State.SENDING) & Q(dispatched_at__lt=F("claimed_at")))  # abandoned since
    )
    return PostChannel.objects.filter((queued | waited | abandoned) & fresh)


def dispatch_due(*, limit: int | None = None) -> list[int]:
    """Hand every due channel's post to a worker once, at most `limit` (DISPATCHER_LIMIT)
    channels per call, in batches of PUBLISH_BATCH_SIZE posts per task. Returns the post ids
    enqueued."""
    limit = int(limit or getattr(settings, "DISPATCHER_LIMIT", 500))
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            due_channels(now)
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
    stale = timezone.now() - dt.timedelta(seconds=float(getattr(settings, "DISPATCHER_SETTLE_AFTER_SECONDS", 10)))
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


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _take_over(token: str) -> None:
    now = timezone.now()
    defaults = {"token": token, "started_at": now, "beat_at": now, "owner": _owner()}
    try:
        Dispatcher.objects.update_or_create(name=NAME, defaults=defaults)
    except IntegrityError:  # another loop created the row at the same moment: take it anyway
        Dispatcher.objects.filter(name=NAME).update(**defaults)


def run_dispatcher(*, seconds: float | None = None, poll: float | None = None) -> int:
    """Poll for due channels for `seconds`, or until a newer loop takes over. Returns how many
    posts it enqueued."""
    seconds = float(seconds if seconds is not None else getattr(settings, "DISPATCHER_RUN_SECONDS", 100))
    poll = float(poll if poll is not None else getattr(settings, "DISPATCHER_POLL_SECONDS", 0.25))
    token = uuid.uuid4().hex
    _take_over(token)
    log.info("Due-post dispatcher %s polling every %.2f s for %.0f s", token[:8], poll, seconds)
    enqueued = 0
    stop = time.monotonic() + seconds
    settle_every = float(getattr(settings, "DISPATCHER_SETTLE_AFTER_SECONDS", 10)) / 2
    next_settle = time.monotonic() + settle_every
    while time.monotonic() < stop:
        started = time.monotonic()
        try:
            if not Dispatcher.objects.filter(name=NAME, token=token).update(beat_at=timezone.now()):
                log.info("Due-post dispatcher %s handed over to a newer one", token[:8])
                break
            handed = dispatch_due()
            enqueued += len(handed)
            if started >= next_settle:
                settle_orphans()
                next_settle = started + settle_every
        except DatabaseError:
            log.exception("Due-post dispatcher: database error; trying again")
            close_old_connections()
            handed = []
        if len(handed) < int(getattr(settings, "DISPATCHER_LIMIT", 500)):  # else more are due: go on
            time.sleep(max(0.0, poll - (time.monotonic() - started)))
    return enqueued


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def revive(**kwargs) -> bool:
    """Start a new dispatcher loop now if the current one's process died on this host (called
    when django-q2 spawns a worker, i.e. also after a worker was killed). Returns True if it did."""
    from django_q.tasks import async_task

    try:
        current = Dispatcher.objects.filter(name=NAME).values("token", "owner").first()
        if not current or not current["owner"]:
            return False
        host, _, pid = current["owner"].rpartition(":")
        if host != socket.gethostname() or not pid.isdigit() or _alive(int(pid)):
            return False
        # One spawner wins the revival; the dead loop's token is retired with it.
        if not Dispatcher.objects.filter(name=NAME, token=current["token"]).update(owner="", token="revived"):
            return False
        async_task("posts.tasks.dispatch")
        log.warning("Due-post dispatcher process %s is gone: started a new loop", current["owner"])
        return True
    except DatabaseError:
        log.exception("Could not check the due-post dispatcher")
        return False
