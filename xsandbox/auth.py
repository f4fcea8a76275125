"""Who is calling a /2 endpoint, and the checks every /2 endpoint shares.

`call_api` runs, in X's order: authentication (401), billing (402 credits, 429 usage cap), the kind of
authentication the endpoint accepts (403), OAuth 2.0 scopes (403), the rate limit (429), and then
the endpoint itself. Every answer after authentication carries the x-rate-limit headers.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from . import oauth1, ratelimit
from .problems import credits_depleted, forbidden, unauthorized, unsupported_authentication, usage_capped
from .state import DEFAULT_APP_ID, SandboxState
from .web import ApiError, Request, Response


@dataclass(frozen=True)
class Identity:
    """The caller. `user_id` is None for the app-only bearer token; `scopes` None means unscoped."""

    kind: str  # "oauth2", "oauth1" or "app"
    user_id: str | None
    scopes: frozenset[str] | None = None
    app_id: str = DEFAULT_APP_ID  # the app whose credentials (or tokens) made the call

    @property
    def rate_subject(self) -> str:
        """Who a 15-minute window belongs to: a user through one app (X counts per access token),
        or for app-only reads the app."""
        return f"app:{self.app_id}:user:{self.user_id}" if self.user_id else f"app:{self.app_id}"


ApiHandler = Callable[..., Response]  # (state, req, ident, **path_params) -> Response


@dataclass(frozen=True)
class ApiEndpoint:
    """A /2 endpoint: its rate-limit family, whether it needs a user, and its OAuth 2.0 scopes."""

    handler: ApiHandler
    family: str
    user_context: bool = False  # app-only bearer refused (every write, and /2/users/me)
    scopes: tuple[str, ...] = ()


def authenticate(state: SandboxState, req: Request) -> Identity:
    """Raises ApiError 401 for a missing, bad, expired or revoked credential."""
    header = req.headers.get("Authorization", "")
    if header.startswith("OAuth "):
        return _oauth1_identity(state, req)
    if header[:7].lower() == "bearer ":
        return _bearer_identity(state, header[7:].strip())
    raise unauthorized()


def _bearer_identity(state: SandboxState, value: str) -> Identity:
    app = state.app_by(bearer_token=value) if value else None
    if app is not None:
        return Identity("app", None, app_id=app.id)
    with state.lock:
        access = state.access_tokens.get(value)
        if access is None or not access.is_valid(time.time()):
            raise unauthorized()
    if state.faults.roll("expire_token_rate"):
        with state.lock:
            state.expire_access_tokens(token=value)
            state.stats.expired_by_user[access.user_id] += 1  # each needs exactly one refresh
        raise unauthorized()
    return Identity("oauth2", access.user_id, access.scopes, app_id=access.app_id)


def _oauth1_identity(state: SandboxState, req: Request) -> Identity:
    try:
        _, token, app = oauth1.verify(state, req, token_kind="access")
    except oauth1.SignatureError:
        raise unauthorized() from None
    assert token is not None and token.user_id is not None
    return Identity("oauth1", token.user_id, app_id=app.id)


def call_api(state: SandboxState, req: Request, endpoint: ApiEndpoint, params: dict[str, str]) -> Response:
    """Runs the shared checks, then the endpoint; rate headers go on its answer or its error."""
    ident = authenticate(state, req)
    if state.faults.settings.credits_depleted:
        raise credits_depleted(state.config.account_id)
    if state.faults.settings.usage_capped:
        raise usage_capped(state.config.account_id)
    if ident.kind == "app" and endpoint.user_context:
        raise unsupported_authentication()
    if ident.scopes is not None and not set(endpoint.scopes) <= ident.scopes:
        raise forbidden()
    headers = ratelimit.consume(state, ident, endpoint.family)
    try:
        response = endpoint.handler(state, req, ident, **params)
    except ApiError as error:
        error.headers = {**headers, **error.headers}
        raise
    response.headers = {**headers, **response.headers}
    return response
