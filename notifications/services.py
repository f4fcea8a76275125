"""Notification actions: queue an email item, flush a person's queue as one email, preferences.

Receivers `queue` an event: one statement inserts an item for each recipient who wants it and
reads the webhook endpoints to deliver it to; a schedule row only when no flush is known to be
coming. The django-q2 task `flush` sends everything pending for one person as ONE email, so a
burst of 50 approvals is one message.
"""

import datetime as dt
import logging
import uuid
from collections.abc import Collection, Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User

from .models import KINDS_BY_ROLE, Kind, PendingNotification, Preference, WebhookEndpoint
from .payloads import settings_url

log = logging.getLogger(__name__)

FLUSH_TASK = "notifications.tasks.flush"
# A claim older than this belongs to a worker that died mid-send: the next flush takes it over.
STALE_CLAIM = dt.timedelta(minutes=15)


def batch_seconds() -> int:
    return settings.NOTIFICATIONS_BATCH_SECONDS


def flush_schedule_name(user_id: int) -> str:
    return f"notifications-flush-{user_id}"


# The flushes this process knows are scheduled, {user id: their next_run}. The scheduler takes a
# ONCE schedule (and deletes it) only once its next_run has passed, so until shortly before then the
# flush is certain to come and to find every item queued meanwhile: queue need not look again. The
# margin allows for the clock of another machine running the scheduler.
_flush_due: dict[int, dt.datetime] = {}
SCHEDULE_MARGIN = dt.timedelta(seconds=5)


def schedule_flush(*, user_id: int, delay: float | None = None) -> None:
    """Run `flush` for this person after the batching delay, unless a flush is already scheduled.

    A named django-q2 ONCE schedule is the "flush pending" flag: the scheduler deletes it when it
    hands the task to a worker, so items queued after that get a flush of their own. The schedule
    is looked up only when this process does not know of one still to come (_flush_due).
    """
    from django_q.models import Schedule
    from django_q.tasks import async_task, schedule

    delay = batch_seconds() if delay is None else delay
    if delay <= 0:
        async_task(FLUSH_TASK, user_id)
        return
    now = timezone.now()
    known = _flush_due.get(user_id)
    if known is not None and now < known - SCHEDULE_MARGIN:
        return
    name = flush_schedule_name(user_id)
    next_run = now + dt.timedelta(seconds=delay)
    try:
        schedule(FLUSH_TASK, user_id, name=name, schedule_type=Schedule.ONCE, next_run=next_run)
    except IntegrityError:  # django-q2 refuses a second schedule of that name: one flush is all we need
        next_run = Schedule.objects.filter(name=name).values_list("next_run", flat=True).first()
        if next_run is None:
            return
    if len(_flush_due) > 10_000:  # forget the flushes that are past
        for pk in [pk for pk, when in _flush_due.items() if when <= now]:
            _flush_due.pop(pk, None)
    _flush_due[user_id] = next_run


def queue(*, kind: str, recipient_ids: Collection[int], payload: dict, reseller_ids: Collection[int] = ()) -> list[int]:
    """Queue one event, in one statement on PostgreSQL (two on SQLite): an item for each
    recipient's next email (and their flush), unless they switched `kind` off. Returns the
    resellers' active webhook endpoints, for the caller to deliver to. Plain SQL: it runs after
    every publish, where the ORM's compiling its queries, and a second round trip, cost more CPU
    than PostgreSQL's answering them."""
    statements = []  # (sql, params), each row ("queued", user id) or ("webhook", endpoint id)
    if recipient_ids:
        payload = PendingNotification._meta.get_field("payload").get_db_prep_save(payload, connection)
        statements.append((
            f"INSERT INTO {PendingNotification._meta.db_table} (recipient_id, kind, payload, created_at) "
            f"SELECT r.id, %s, %s, %s FROM ({' UNION ALL '.join(['SELECT %s AS id'] * len(recipient_ids))}) AS r "
            f"WHERE NOT EXISTS (SELECT 1 FROM {Preference._meta.db_table} AS p "
            f"WHERE p.user_id = r.id AND p.kind = %s AND p.enabled = %s) RETURNING 'queued', recipient_id",
            [kind, payload, timezone.now(), *recipient_ids, kind, False],
        ))
    if reseller_ids:
        statements.append((
            f"SELECT 'webhook', id FROM {WebhookEndpoint._meta.db_table} "
            f"WHERE reseller_id IN ({', '.join(['%s'] * len(reseller_ids))}) AND is_active = %s",
            [*reseller_ids, True],
        ))
    if len(statements) == 2 and connection.vendor == "postgresql":  # one round trip: the INSERT in a WITH
        (insert, queue_params), (select, webhook_params) = statements
        statements = [(f"WITH queued AS ({insert}) SELECT * FROM queued UNION ALL {select}",
                       queue_params + webhook_params)]
    queued, endpoint_ids = [], []
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        for sql, params in statements:  # SQLite has no INSERT inside WITH: one statement each
            cursor.execute(sql, params)
            for what, pk in cursor.fetchall():
                (queued if what == "queued" else endpoint_ids).append(pk)
    for user_id in sorted(queued):
        schedule_flush(user_id=user_id)
    return sorted(endpoint_ids)


def _claim(user_id: int) -> tuple[uuid.UUID, list[PendingNotification]]:
    """Stamp this person's waiting items with a fresh claim id; two flushes never share one."""
    claim, now = uuid.uuid4(), timezone.now()
    PendingNotification.objects.filter(recipient_id=user_id).filter(
        Q(claim__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM)
    ).update(claim=claim, claimed_at=now)
    return claim, list(PendingNotification.objects.filter(claim=claim).order_by("created_at", "pk"))


# Headings for each kind in the digest, singular and plural.
HEADINGS = {
    Kind.POST_SUBMITTED: ("post is waiting for your review", "posts are waiting for your review"),
    Kind.POST_APPROVED: ("post was approved", "posts were approved"),
    Kind.POST_REJECTED: ("post was rejected", "posts were rejected"),
    Kind.POST_PUBLISHED: ("post was published", "posts were published"),
    Kind.POST_FAILED: ("post failed to publish", "posts failed to publish"),
    Kind.ACCOUNT_RECONNECT: ("X account needs reconnecting", "X accounts need reconnecting"),
    Kind.POST_COMMENTED: ("new comment on a post", "new comments on posts"),
    Kind.POST_HELD: ("post is held by a spend cap on X", "posts are held by a spend cap on X"),
    Kind.ACCESS_ENDING: ("connection ends within a week", "connections end within a week"),
}


def heading(kind: str, count: int) -> str:
    singular, plural = HEADINGS[Kind(kind)]
    return f"{count} {singular if count == 1 else plural}"


def build_digest(user: User, items: Iterable[PendingNotification]) -> EmailMultiAlternatives:
    """One email summarising every item, grouped by kind in a fixed order."""
    by_kind: dict[str, list[dict]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item.payload)
    groups = [
        {"kind": kind.value, "heading": heading(kind, len(by_kind[kind])), "items": by_kind[kind]}
        for kind in Kind
        if kind in by_kind
    ]
    for group in groups:
        if group["kind"] == Kind.POST_SUBMITTED and user.is_client:
            # The client can decide from the email without logging in (agency.review_links).
            from agency.review_links import url_for_pending

            group["review_url"] = url_for_pending(client=user, post_ids=[i["post"]["id"] for i in group["items"]])
    total = sum(len(g["items"]) for g in groups)
    site = settings.SITE_NAME
    subject = f"{site}: {groups[0]['heading']}" if len(groups) == 1 else f"{site}: {total} updates"
    context = {"user": user, "groups": groups, "settings_url": settings_url(), "subject": subject, "site_name": site,
               "review_link_days": settings.REVIEW_LINK_MAX_AGE_DAYS}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notifications/email/digest.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("notifications/email/digest.html", context), "text/html")
    return message


def flush(*, user_id: int) -> int:
    """Email everything pending for this person as one message. Returns the number of items sent.

    Safe to run twice or at once: items are claimed atomically, and a second flush finds none.
    A failed send releases the claim and schedules another flush; it never loses items.
    """
    _flush_due.pop(user_id, None)  # the flush is running: the next item needs a schedule of its own
    claim, items = _claim(user_id)
    if not items:
        return 0
    user = User.objects.filter(pk=user_id).first()
    disabled = Preference.objects.disabled_kinds(user) if user else set()
    wanted = [item for item in items if item.kind not in disabled]
    if user is None or not user.email or not user.is_active or not wanted:
        PendingNotification.objects.filter(claim=claim).delete()
        return 0
    try:
        build_digest(user, wanted).send()
    except Exception:
        log.exception("Notification email to user %s failed; will try again", user_id)
        PendingNotification.objects.filter(claim=claim).update(claim=None, claimed_at=None)
        schedule_flush(user_id=user_id, delay=max(batch_seconds(), 300))
        return 0
    PendingNotification.objects.filter(claim=claim).delete()
    log.info("Notification email with %s item(s) sent to user %s", len(wanted), user_id)
    return len(wanted)


# --- Preferences


def kinds_for(user: User) -> list[Kind]:
    """The kinds this person can receive (staff: all of them)."""
    return list(KINDS_BY_ROLE.get(user.role, list(Kind)))


@transaction.atomic
def set_preferences(*, user: User, enabled: Iterable[str]) -> None:
    """Switch on exactly the given kinds among those the person can receive; the rest off."""
    enabled = set(enabled)
    for kind in kinds_for(user):
        Preference.objects.update_or_create(
            user=user, kind=kind, defaults={"enabled": kind in enabled}
        )

