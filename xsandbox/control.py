"""The control API under /_sandbox/: no auth, a dev tool for tests, demos and benchmarks.

Errors here are plain `{"error": "..."}` with status 400, so they never look like X's answers.
"""
from __future__ import annotations

import json
import re
from typing import Any

from . import pages
from .faults import ForcedAnswer
from .state import DEFAULT_APP_ID, SandboxState
from .tweets import iso_time
from .web import ApiError, Request, Response, html_response, json_response

DEFAULT_SCOPES = "tweet.read tweet.write users.read offline.access media.write"
USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,50}$")
VERIFIED_TYPES = ("blue", "business", "government", "none")  # X's User.verified_type values
SUBSCRIPTION_TYPES = ("Basic", "Premium", "PremiumPlus", "None")  # X's User.subscription_type values


def bad_request(message: str) -> ApiError:
    return ApiError(400, {"error": message})


def home(state: SandboxState, req: Request) -> Response:
    """GET /: a small page with the counts."""
    with state.lock:
        usernames = sorted(user.username for user in state.users.values())
    return html_response(200, pages.home_page(state.counts(), usernames))


def counts(state: SandboxState, req: Request) -> Response:
    """GET /_sandbox/state."""
    return json_response(200, state.counts())


def tweets(state: SandboxState, req: Request) -> Response:
    """GET /_sandbox/tweets: every tweet, deleted ones included, oldest first."""
    with state.lock:
        data = [{
            "id": t.id, "author_id": t.author_id, "author_username": state.users[t.author_id].username,
            "text": t.text, "posted_text": t.posted_text, "long": t.long,
            "media_ids": list(t.media_ids), "reply_to": t.reply_to, "quote_of": t.quote_of,
            "created_at": iso_time(t.created_at), "deleted": t.deleted,
        } for t in sorted(state.tweets.values(), key=lambda t: int(t.id))]
    return json_response(200, {"data": data})


def media(state: SandboxState, req: Request) -> Response:
    """GET /_sandbox/media: every upload with its size, state, alt text and SHA-256."""
    with state.lock:
        data = [{
            "id": m.id, "media_key": m.media_key, "owner_id": m.owner_id, "media_type": m.media_type,
            "media_category": m.category, "total_bytes": m.total_bytes, "received_bytes": m.received_bytes,
            "state": m.state, "alt_text": m.alt_text, "sha256": m.sha256,
            "expires_at": iso_time(m.expires_at),
        } for m in state.media.values()]
    return json_response(200, {"data": data})


def reset(state: SandboxState, req: Request) -> Response:
    """POST /_sandbox/reset: forget all data; faults back to the start settings."""
    state.reset()
    return json_response(200, {"reset": True})


def get_faults(state: SandboxState, req: Request) -> Response:
    """GET /_sandbox/faults: current settings plus pending forced answers."""
    return json_response(200, state.faults.snapshot())


def set_faults(state: SandboxState, req: Request) -> Response:
    """POST /_sandbox/faults: merges the given settings into the current ones."""
    try:
        state.faults.merge(_object(req))
    except (TypeError, ValueError) as error:
        raise bad_request(str(error)) from None
    return json_response(200, state.faults.snapshot())


def force_next(state: SandboxState, req: Request) -> Response:
    """POST /_sandbox/faults/next {path, status?, body?, count?, after?, method?, lose_answer?}."""
    body = _object(req)
    if not isinstance(body.get("path"), str) or not body["path"].startswith("/"):
        raise bad_request("path is required, e.g. /2/tweets")
    try:
        answer = ForcedAnswer(
            path=body["path"], count=int(body.get("count", 1)), after=int(body.get("after", 0)),
            method=body.get("method"),
            status=int(body.get("status", 503)), body=body.get("body"),
            lose_answer=bool(body.get("lose_answer", False)))
        state.faults.force(answer)
    except (TypeError, ValueError) as error:
        raise bad_request(str(error)) from None
    return json_response(200, state.faults.snapshot())


def create_user(state: SandboxState, req: Request) -> Response:
    """POST /_sandbox/users {username, scopes?, app_id?, verified_type?, subscription_type?}: the user
    (created or existing, its verification updated when given) with fresh tokens of that app."""
    body = _object(req)
    username = body.get("username")
    if not isinstance(username, str) or not USERNAME_RE.match(username):
        raise bad_request("username is required: letters, digits and _")
    app_id = str(body.get("app_id", DEFAULT_APP_ID))
    if app_id not in state.apps:
        raise bad_request(f"unknown app_id {app_id!r}: register it with POST /_sandbox/apps")
    verified_type, subscription_type = body.get("verified_type"), body.get("subscription_type")
    if verified_type is not None and verified_type not in VERIFIED_TYPES:
        raise bad_request(f"verified_type must be one of {', '.join(VERIFIED_TYPES)}")
    if subscription_type is not None and subscription_type not in SUBSCRIPTION_TYPES:
        raise bad_request(f"subscription_type must be one of {', '.join(SUBSCRIPTION_TYPES)}")
    scopes = body.get("scopes", DEFAULT_SCOPES)
    scope_set = frozenset(scopes.split() if isinstance(scopes, str) else scopes)
    user = state.get_or_create_user(username)
    with state.lock:
        if verified_type is not None:
            user.verified_type = verified_type
        if subscription_type is not None:
            user.subscription_type = subscription_type
    access, refresh = state.issue_oauth2_tokens(user.id, scope_set, app_id=app_id)
    oauth1 = state.issue_oauth1_access_token(user.id, app_id=app_id)
    return json_response(201, {
        "id": user.id, "username": user.username, "app_id": app_id,
        "verified_type": user.verified_type, "subscription_type": user.subscription_type,
        "oauth2": {"access_token": access.token, "refresh_token": refresh.token if refresh else None,
                   "expires_in": state.config.access_token_ttl, "scope": " ".join(sorted(scope_set))},
        "oauth1": {"oauth_token": oauth1.token, "oauth_token_secret": oauth1.secret},
    })


def create_app(state: SandboxState, req: Request) -> Response:
    """POST /_sandbox/apps {name?}: registers another X app with its own OAuth 2.0 client, OAuth 1.0a
    consumer and app-only bearer token. Tokens are bound to the app that issued them."""
    name = _object(req).get("name", "")
    if not isinstance(name, str) or len(name) > 100:
        raise bad_request("name must be text of at most 100 characters")
    return json_response(201, state.register_app(name.strip()).as_dict())


def list_apps(state: SandboxState, req: Request) -> Response:
    """GET /_sandbox/apps: every registered app with its credentials (app "1" is the default)."""
    with state.lock:
        return json_response(200, {"data": [app.as_dict() for app in state.apps.values()]})


def expire_tokens(state: SandboxState, req: Request) -> Response:
    """POST /_sandbox/tokens/expire {access_token} or {user_id}: those access tokens expire now."""
    body = _object(req)
    if not body.get("access_token") and not body.get("user_id"):
        raise bad_request("access_token or user_id is required")
    expired = state.expire_access_tokens(token=body.get("access_token"), user_id=body.get("user_id"))
    return json_response(200, {"expired": expired})


def stats(state: SandboxState, req: Request) -> Response:
    """GET /_sandbox/stats."""
    with state.lock:
        return json_response(200, state.stats.as_dict())


def _object(req: Request) -> dict[str, Any]:
    """The body as JSON whatever the Content-Type says (curl -d sends a form type), else a form."""
    if not req.body:
        return {}
    try:
        data = json.loads(req.body)
    except ValueError:
        data = req.form() or None
    if not isinstance(data, dict):
        raise bad_request("body must be a JSON object")
    return data
