"""Is publishing keeping up? What /healthz/publishing reports (docs/deploy.md wires it).

Publishing has stalled when no due-post dispatcher has beaten for DISPATCHER_STALL_SECONDS (none
is running, or none reaches the database), or when a channel has been due that long and no worker
has taken it (no cluster is running, or the workers cannot keep up).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, DateTimeField, Min
from django.db.models.functions import Coalesce
from django.utils import timezone

from .dispatcher import NAME
from .models import Dispatcher, PostChannel

State = PostChannel.State


def _age(now: dt.datetime, then: dt.datetime | None) -> float | None:
    return None if then is None else round(max(0.0, (now - then).total_seconds()), 1)


def oldest_due(now: dt.datetime) -> dt.datetime | None:
    """Since when the longest-waiting due channel has been due (None when nothing is due).
    Dispatched channels count until a worker claims them: a lost queue leaves them waiting."""
    return (
        PostChannel.objects.due(now)
        .annotate(
            due_since=Coalesce("next_attempt_at", "post__schedule_at", "updated_at", output_field=DateTimeField())
        )
        .aggregate(oldest=Min("due_since"))["oldest"]
    )


def queue_depth() -> int:
    """Tasks waiting in the django-q2 broker (ORM or Redis) for a worker."""
    from django_q.brokers import get_broker

    return get_broker().queue_size()


def failed_last_hour(now: dt.datetime) -> dict:
    """Channels that failed in the last hour, by error kind, and django-q2 tasks that failed."""
    from django_q.models import Failure

    since = now - dt.timedelta(hours=1)
    kinds = (
        PostChannel.objects.filter(state=State.FAILED, updated_at__gte=since)
        .values("error_kind")
        .annotate(n=Count("pk"))
        .order_by("error_kind")
    )
    by_kind = {row["error_kind"] or "other": row["n"] for row in kinds}
    return {
        "channels": sum(by_kind.values()),
        "channels_by_kind": by_kind,
        "tasks": Failure.objects.filter(stopped__gte=since).count(),
    }


def publishing_health() -> dict:
    """The figures and a verdict: {"ok": bool, "problems": [...], ...}."""
    now = timezone.now()
    stall = float(settings.DISPATCHER_STALL_SECONDS)
    beat_at = Dispatcher.objects.filter(name=NAME).values_list("beat_at", flat=True).first()
    beat_age, due_age = _age(now, beat_at), _age(now, oldest_due(now))
    problems = []
    if beat_age is None:
        problems.append("No due-post dispatcher has ever run: start `manage.py dispatch` beside qcluster.")
    elif beat_age > stall:
        problems.append(f"The due-post dispatcher last beat {beat_age:.0f} s ago: is `manage.py dispatch` running?")
    if due_age is not None and due_age > stall:
        problems.append(f"A post has been due for {due_age:.0f} s: are the qcluster workers running and keeping up?")
    return {
        "ok": not problems,
        "problems": problems,
        "dispatcher_last_beat": beat_at.isoformat() if beat_at else None,
        "dispatcher_beat_age_seconds": beat_age,
        "oldest_due_seconds": due_age,
        "queue_depth": queue_depth(),
        "failed_last_hour": failed_last_hour(now),
        "stall_after_seconds": stall,
    }
