"""Signal receivers: decide who hears about an event, write rows, enqueue webhook tasks.

Cheap and never raising: they run right after the action's commit (in a web request or a
publishing worker), so all sending happens later in django-q2 tasks. A failure here is logged and
swallowed; the action it reports on has already happened.
"""

import functools
import logging

from agency import signals as agency_signals
from platforms import signals as platform_signals
from posts import signals as post_signals
from socials import signals as social_signals

from . import payloads, services, webhooks
from .models import EVENT_NAMES, Kind

log = logging.getLogger(__name__)


def never_raise(receiver):
    @functools.wraps(receiver)
    def wrapper(*args, **kwargs):
        try:
            receiver(*args, **kwargs)
        except Exception:
            log.exception("Notification receiver %s failed", receiver.__name__)

    return wrapper


def _tell(*, kind: Kind, recipients, payload: dict, reseller_ids) -> None:
    recipient_ids = {r.pk for r in recipients if r is not None and r.is_active}
    reseller_ids = {pk for pk in reseller_ids if pk is not None}
    endpoint_ids = services.queue(kind=kind, recipient_ids=recipient_ids, payload=payload, reseller_ids=reseller_ids)
    webhooks.enqueue(endpoint_ids=endpoint_ids, event=EVENT_NAMES[kind], payload=payload)


@never_raise
def on_post_submitted(sender, post, **kwargs):
    task = post.task
    _tell(
        kind=Kind.POST_SUBMITTED,
        recipients=[task.user],
        payload=payloads.post_payload(post),
        reseller_ids=[task.reseller_id],
    )


@never_raise
def on_post_reviewed(sender, post, review, **kwargs):
    task = post.task
    approved = review.action == review.Action.APPROVE
    _tell(
        kind=Kind.POST_APPROVED if approved else Kind.POST_REJECTED,
        # The reseller wrote it; the client reviewed it (or staff did, and the client can skip it).
        recipients=[task.reseller] if task.reseller_id != review.actor_id else [],
        payload=payloads.post_payload(post, review=review),
        reseller_ids=[task.reseller_id],
    )


@never_raise
def on_post_published(sender, post, **kwargs):
    task = post.task
    _tell(
        kind=Kind.POST_PUBLISHED,
        # Whoever wrote it: the reseller, or the client who published it directly.
        recipients=[task.reseller or task.user],
        payload=payloads.post_payload(post, with_channels=True),
        reseller_ids=[task.reseller_id],
    )


@never_raise
def on_post_failed(sender, post, **kwargs):
    task = post.task
    _tell(
        kind=Kind.POST_FAILED,
        recipients=[task.reseller, task.user],  # the client can reconnect and retry
        payload=payloads.post_payload(post, with_channels=True),
        reseller_ids=[task.reseller_id],
    )


@never_raise
def on_account_needs_reconnect(sender, account, **kwargs):
    from accounts.models import User

    client = account.user
    resellers = list(User.objects.resellers().filter(reseller_tasks__user=client).distinct())
    _tell(
        kind=Kind.ACCOUNT_RECONNECT,
        recipients=[client, *resellers],
        payload=payloads.account_payload(account),
        reseller_ids=[r.pk for r in resellers],
    )


@never_raise
def on_access_ending(sender, accounts, ends_at, **kwargs):
    from accounts.models import User

    client = accounts[0].user
    resellers = list(User.objects.resellers().filter(reseller_tasks__user=client).distinct())
    _tell(
        kind=Kind.ACCESS_ENDING,
        recipients=[client, *resellers],
        payload=payloads.access_ending_payload(accounts, ends_at),
        reseller_ids=[r.pk for r in resellers],
    )


@never_raise
def on_post_held(sender, post, reason, **kwargs):
    from accounts.models import User

    task = post.task
    staff = User.objects.filter(role=User.Role.STAFF, is_active=True)
    _tell(
        kind=Kind.POST_HELD,
        recipients=[task.reseller, *staff],  # the reseller tells the client; staff can raise the cap
        payload={**payloads.post_payload(post), "reason": reason},
        reseller_ids=[task.reseller_id],
    )


@never_raise
def on_post_commented(sender, post, comment, **kwargs):
    from agency.comments import recipients_for

    _tell(
        kind=Kind.POST_COMMENTED,
        recipients=recipients_for(comment),
        payload=payloads.comment_payload(post, comment),
        reseller_ids=[post.task.reseller_id],
    )


def connect() -> None:
    uid = "notifications."
    post_signals.post_submitted.connect(on_post_submitted, dispatch_uid=uid + "submitted")
    post_signals.post_reviewed.connect(on_post_reviewed, dispatch_uid=uid + "reviewed")
    post_signals.post_published.connect(on_post_published, dispatch_uid=uid + "published")
    post_signals.post_failed.connect(on_post_failed, dispatch_uid=uid + "failed")
    agency_signals.post_commented.connect(on_post_commented, dispatch_uid=uid + "commented")
    post_signals.post_held.connect(on_post_held, dispatch_uid=uid + "held")
    social_signals.account_needs_reconnect.connect(
        on_account_needs_reconnect, dispatch_uid=uid + "reconnect"
    )
    platform_signals.access_ending.connect(on_access_ending, dispatch_uid=uid + "access_ending")
