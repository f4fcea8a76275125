"""Signed webhook deliveries: one row per event per endpoint, sent by its own django-q2 task.

The body is JSON. `X-SocialHub-Timestamp` is the attempt's Unix time and
`X-SocialHub-Signature: sha256=<hex>` the HMAC-SHA256, with the endpoint's secret, of
`<timestamp>.<exact body bytes>` (as Stripe signs), so a captured delivery cannot be replayed
later: receivers check the signature, then that the timestamp is recent (`verify` below;
docs/webhooks.md). `X-SocialHub-Delivery` (also the body's "id") stays the same across retries, so
receivers can de-duplicate. A failed attempt is retried with exponential backoff, up to
NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS; the reseller sees its HTTP status, never the receiver's answer.
"""

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import PING_EVENT, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

DELIVER_TASK = "notifications.tasks.deliver_webhook"
SIGNATURE_HEADER = "X-SocialHub-Signature"
TIMESTAMP_HEADER = "X-SocialHub-Timestamp"
# How old a delivery a receiver should still accept (what `verify` allows by default).
TOLERANCE_SECONDS = 300
USER_AGENT = "SocialHub-Webhooks/1.0"
PRIVATE_ADDRESS = "The webhook URL must point to a public address, not a private or local one."


def address_error(url: str) -> str:
    """Why SocialHub will not send to this URL ("" when it will). Unless
    NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE is on (the default with DEBUG, for local receivers), a URL
    whose host resolves to a loopback, private, link-local or reserved address is refused, so a
    webhook cannot be aimed at the server's own network (cloud metadata, internal services)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "The webhook URL must start with http:// or https://."
    if settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE:
        return ""
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return "The webhook URL's host name does not resolve."
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if any(not a.is_global or a.is_multicast for a in (address, *_embedded_ipv4(address))):
            return PRIVATE_ADDRESS
    return ""


IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix


def _embedded_ipv4(address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to: mapped (::ffff:a.b.c.d), IPv4-compatible,
    NAT64, 6to4 (2002::/16) and Teredo. Python counts some of these prefixes as global, yet a
    packet to them can end up at the embedded address (127.0.0.1, 10.x, ...)."""
    if address.version != 6:
        return []
    embedded = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if address in IPV4_COMPATIBLE or address in NAT64:
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [a for a in embedded if a is not None]


def timeout() -> float:
    return settings.NOTIFICATIONS_WEBHOOK_TIMEOUT


def max_attempts() -> int:
    return settings.NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next try after `attempts` failures: base, 2x, 4x, ... capped at 6 hours."""
    return dt.timedelta(seconds=min(settings.NOTIFICATIONS_WEBHOOK_RETRY_SECONDS * 2 ** (attempts - 1), 6 * 3600))


def sign(body: bytes, secret: str, timestamp: int | str) -> str:
    """The X-SocialHub-Signature value: HMAC-SHA256 of b"<timestamp>." + body."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    body: bytes, secret: str, signature: str, timestamp: str, *, tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver does: recompute the HMAC over timestamp and body, compare in constant time,
    and refuse a timestamp more than `tolerance` seconds away (a replayed delivery)."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except (TypeError, ValueError):
        return False
    return age <= tolerance and hmac.compare_digest(sign(body, secret, timestamp), signature or "")


def body_of(delivery: WebhookDelivery) -> bytes:
    document = {
        "id": str(delivery.event_id),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def enqueue(*, endpoint_ids: Iterable[int], event: str, payload: dict) -> list[WebhookDelivery]:
    """Log one delivery per endpoint and hand each to its own task after commit (ids only)."""
    deliveries = [
        WebhookDelivery.objects.create(endpoint_id=endpoint_id, event=event, payload=payload)
        for endpoint_id in endpoint_ids
    ]
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: _async(pk))
    return deliveries


def _async(delivery_id: int) -> None:
    from django_q.tasks import async_task

    async_task(DELIVER_TASK, delivery_id)


def _schedule_retry(delivery_id: int, when: dt.datetime) -> None:
    from django_q.models import Schedule
    from django_q.tasks import schedule

    schedule(DELIVER_TASK, delivery_id, schedule_type=Schedule.ONCE, next_run=when)


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Take the delivery if it is due (or its sender died mid-request); None if not ours to send."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=timeout() + 120)
    due = Q(status=WebhookDelivery.Status.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    dead = Q(status=WebhookDelivery.Status.SENDING, claimed_at__lt=stale)
    claimed = WebhookDelivery.objects.filter(pk=delivery_id).filter(due | dead).update(
        status=WebhookDelivery.Status.SENDING, claimed_at=now
    )
    if claimed != 1:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One HTTP attempt. Returns (status code or None, error text or ""). Never raises."""
    refused = address_error(endpoint.url)
    if refused:
        return None, refused
    body = body_of(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-SocialHub-Event": delivery.event,
        "X-SocialHub-Delivery": str(delivery.event_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(body, endpoint.secret, timestamp),
    }
    seconds = timeout()
    try:
        # No redirects: the signed body goes to the URL the reseller set, nowhere else.
        response = requests.post(
            endpoint.url, data=body, headers=headers, timeout=seconds, allow_redirects=False, stream=True
        )
    except requests.Timeout:
        return None, f"No answer within {seconds:g} seconds (timeout)."
    except requests.ConnectionError:
        return None, "Could not connect to the webhook URL."
    except requests.RequestException as exc:
        return None, f"Request failed ({type(exc).__name__})."
    # The receiver's answer is not read: whatever it says (an internal error page, say) is no
    # business of the reseller's delivery log. The status says enough.
    code = response.status_code
    response.close()
    if 200 <= code < 300:
        return code, ""
    if 300 <= code < 400:
        return code, f"HTTP {code}: redirects are not followed."
    return code, f"HTTP {code}: the receiver did not accept the delivery."


def deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """Make one attempt at a delivery; on failure schedule the next with backoff, or give up.

    Safe to run twice: a delivery that is not due, already sending or finished is left alone.
    """
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    started = time.monotonic()
    if not endpoint.is_active and delivery.event != PING_EVENT:
        code, error = None, "The endpoint is switched off."
        give_up = True
    else:
        code, error = _post(endpoint, delivery)
        give_up = False
    now = timezone.now()
    delivery.attempts += 1
    delivery.status_code = code
    delivery.last_error = error
    delivery.claimed_at = None
    delivery.history = [
        *delivery.history,
        {
            "at": now.isoformat(),
            "status_code": code,
            "error": error,
            "ms": round((time.monotonic() - started) * 1000),
        },
    ]
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            WebhookDelivery.Status.DELIVERED, now, None
        )
    elif give_up or delivery.attempts >= max_attempts():
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
    else:
        delivery.status = WebhookDelivery.Status.PENDING
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(
        update_fields=[
            "attempts", "status_code", "last_error", "claimed_at", "history", "status",
            "delivered_at", "next_attempt_at",
        ]
    )
    if delivery.status == WebhookDelivery.Status.PENDING:
        _schedule_retry(delivery.pk, delivery.next_attempt_at)
    log.info(
        "Webhook %s %s attempt %s: %s", delivery.event, delivery.event_id, delivery.attempts,
        error or code,
    )
    return delivery


@transaction.atomic
def save_endpoint(*, reseller, url: str, secret: str = "", is_active: bool = True) -> WebhookEndpoint:
    """Create or change a reseller's endpoint. A blank secret keeps the stored one.

    Raises ValidationError (bad URL, or no secret for a new endpoint).
    """
    from django.core.exceptions import ValidationError

    endpoint = WebhookEndpoint.objects.filter(reseller=reseller).first() or WebhookEndpoint(
        reseller=reseller
    )
    endpoint.url, endpoint.is_active = url.strip(), is_active
    if secret:
        endpoint.secret = secret
    if not endpoint.secret:
        raise ValidationError({"secret": ["Set a secret: receivers use it to check the signature."]})
    endpoint.full_clean(exclude=["reseller"])
    refused = address_error(endpoint.url)
    if refused:
        raise ValidationError({"url": [refused]})
    endpoint.save()
    return endpoint


def send_test_event(*, reseller) -> WebhookDelivery:
    """Queue a "ping" to the reseller's endpoint (even if switched off). Raises DoesNotExist."""
    endpoint = WebhookEndpoint.objects.get(reseller=reseller)
    payload = {"message": "Test event from SocialHub.", "reseller": reseller.username}
    return enqueue(endpoint_ids=[endpoint.pk], event=PING_EVENT, payload=payload)[0]
