"""Writes the ledger: every answered X call an account's client makes is priced and recorded.

`watch(client, account)` hooks a response hook into the client's own calls (platforms.x.tokens
does it for every client it hands out), so whatever code calls X, the call is counted where it is
made.
Prices follow X's pay-per-use list (costs.prices): a created post (a post with a link costs more),
media alt text, a post read (once per post per app per UTC day, as X deduplicates), the account's
own user read. Uploads, deletes and refused calls (4xx, 5xx) cost nothing.

`for_post(post_id)` names the post being published, so its page shows what publishing it spent,
reconcile reads and re-uploads included. Recording never breaks the call it records.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import json
import logging
import re
from urllib.parse import urlsplit

from django.utils import timezone

from socialhub import compiled

from . import prices
from .models import XCall

log = logging.getLogger(__name__)

_post: contextvars.ContextVar[int | None] = contextvars.ContextVar("costs_post", default=None)
PLATFORM = "platform"
_READS = re.compile(r"^/2/(tweets|tweets/\d+|users/\d+/tweets)$")


@contextlib.contextmanager
def for_post(post_id: int | None):
    """Charge X calls made inside to this post."""
    token = _post.set(post_id)
    try:
        yield
    finally:
        _post.reset(token)


def app_of(account) -> str:
    """Which X app signs an account's calls: its own OAuth 2.0 client id, a short digest of its own
    OAuth 1.0a consumer key (kept secret), or the platform's app."""
    if account is None:
        return PLATFORM
    if account.token_type == account.TokenType.OAUTH2_USER and account.oauth2_client_id:
        return account.oauth2_client_id[:80]
    if account.token_type == account.TokenType.OAUTH1 and account.oauth1_consumer_key:
        return "oauth1:" + hashlib.sha256(account.oauth1_consumer_key.encode()).hexdigest()[:16]
    return PLATFORM


PLATFORM_LABEL = "SocialHub's X app"


def app_label(username: str, first_name: str, last_name: str) -> str:
    """The name people know a client X app (agency.ClientXApp) by, its client's: the ledger keys it
    by its OAuth 2.0 client id. An OAuth 1.0a app (keyed by a digest of its consumer key) has no
    such name and keeps its key (costs.selectors.usage)."""
    return f"{f'{first_name} {last_name}'.strip() or username}'s X app"


def watch(client, account, *, x_app: str | None = None) -> None:
    """Record the billable answers `client` gets, charged to `account` (its client) and to the X
    app that signs them (`x_app`, by default the account's own: give PLATFORM for the app's
    bearer token reading for an account)."""
    app = x_app or app_of(account)

    def hook(response, *args, **kwargs):
        try:
            record(response, account=account, x_app=app)
        except Exception:  # the ledger must never cost the call itself
            log.exception("Could not record the cost of an X call")
        return response

    client.hooks["response"].append(hook)


def record(response, *, account, x_app: str) -> list[XCall]:
    if not 200 <= response.status_code < 300:
        return []
    request = response.request
    path = urlsplit(request.url).path
    method = request.method
    base = _api_path(path)
    now = timezone.now()
    common = dict(at=now, day=now.astimezone(dt.timezone.utc).date(), account=account, x_app=x_app,
                  client_id=getattr(account, "user_id", None), post_id=_post.get(), endpoint=f"{method} {base}"[:80])
    rows: list[XCall] = []
    if method == "POST" and base == "/2/tweets":
        text = str(_json(request.body).get("text") or "")
        tweet_id = str((_json(response.content).get("data") or {}).get("id") or "")
        kind = XCall.Kind.POST_CREATE_URL if prices.has_link(text) else XCall.Kind.POST_CREATE
        rows.append(XCall(kind=kind, micros=prices.micros(kind), resource_id=tweet_id, **common))
    elif method == "POST" and base == "/2/media/metadata":
        rows.append(XCall(kind=XCall.Kind.MEDIA_METADATA, micros=prices.micros("media_metadata"), **common))
    elif method == "GET" and base == "/2/users/me":
        rows.append(XCall(kind=XCall.Kind.OWN_READ, micros=prices.micros("own_read"), **common))
    elif method == "GET" and _READS.match(base):
        data = _json(response.content).get("data")
        tweets = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        rows.extend(XCall(kind=XCall.Kind.POST_READ, micros=prices.micros("post_read"), resource_id=str(t.get("id")),
                          **common) for t in tweets if isinstance(t, dict) and t.get("id"))
    # A read already charged today (this app, this post) is skipped: X charges it once a day. One
    # INSERT made once per process (socialhub.compiled): the ORM's compiling it cost more CPU than
    # anything else in a publish's bookkeeping. Written at once, as the call returns, so a worker
    # killed a moment later has still recorded what X charged.
    compiled.insert(rows, ignore_conflicts=True)
    return rows


def _api_path(path: str) -> str:
    """The API path from /2 on (X_API_URL may carry a prefix)."""
    at = path.find("/2/")
    return path[at:] if at >= 0 else path


def _json(raw) -> dict:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def found_created(account, tweet_id: str, text: str) -> None:
    """A post X created whose answer never came back (found by reconciling): X charged for it, so
    the ledger records it once, like the answered create it stands for. Other networks cost nothing."""
    if account.provider != "twitter":
        return
    kinds = [XCall.Kind.POST_CREATE, XCall.Kind.POST_CREATE_URL]
    if XCall.objects.filter(kind__in=kinds, resource_id=tweet_id).exists():
        return
    kind = XCall.Kind.POST_CREATE_URL if prices.has_link(text) else XCall.Kind.POST_CREATE
    now = timezone.now()
    XCall.objects.create(at=now, day=now.astimezone(dt.timezone.utc).date(), account=account, x_app=app_of(account),
                         client_id=getattr(account, "user_id", None), post_id=_post.get(), endpoint="POST /2/tweets",
                         kind=kind, micros=prices.micros(kind), resource_id=tweet_id)
