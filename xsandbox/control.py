"""The control API under /_sandbox/: no auth, a dev tool for tests, demos and benchmarks.

Errors here are plain `{"error": "..."}` with status 400, so they never look like X's answers.
"""
from __future__ import annotations

import json
import re
from typing import Any

from . import pages
from .faults import ForcedAnswer
from .state import SandboxState
from .tweets import iso_time
from .web import ApiError, Request, Response, html_response, json_response

DEFAULT_SCOPES = "tweet.read tweet.write users.read offline.access media.write"
USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,50}$")


def bad_request(message: str) -> ApiError:
    return ApiError(400, {"error": message})


def home(state: SandboxState, req: Request) -> Response:
    """GET /: a small page with the counts."""
    return html_response(200, pages.home_page(state.counts()))


def counts(state: SandboxState, req: Request) -> Response:
    """GET /_sandbox/state."""
    return json_response(200, state.counts())


def tweets(state: SandboxState, req: Request) -> Response:
    """GET /_sandbox/tweets: every tweet, deleted ones included, oldest first."""
    with state.lock:
        data = [{
            "id": t.id, "author_id": t.author_id, "author_username": state.users[t.author_id].username,
            "text": t.text, "media_ids": list(t.media_ids), "reply_to": t.reply_to, "quote_of": t.quote_of,
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
    """POST /_sandbox/users {username, scopes?}: the user (created or existing) with fresh tokens."""
    body = _object(req)
    username = body.get("username")
    if not isinstance(username, str) or not USERNAME_RE.match(username):
        raise bad_request("username is required: letters, digits and _")
    scopes = body.get("scopes", DEFAULT_SCOPES)
    scope_set = frozenset(scopes.split() if isinstance(scopes, str) else scopes)
    user = state.get_or_create_user(username)
    access, refresh = state.issue_oauth2_tokens(user.id, scope_set)
    oauth1 = state.issue_oauth1_access_token(user.id)
    return json_response(201, {
        "id": user.id, "username": user.username,
        "oauth2": {"access_token": access.token, "refresh_token": refresh.token if refresh else None,
                   "expires_in": state.config.access_token_ttl, "scope": " ".join(sorted(scope_set))},
        "oauth1": {"oauth_token": oauth1.token, "oauth_token_secret": oauth1.secret},
    })


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
