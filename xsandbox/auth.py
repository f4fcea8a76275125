"""Who is calling a /2 endpoint, and the checks every /2 endpoint shares.

`call_api` runs, in X's order: authentication (401), the usage cap (403), the kind of
authentication the endpoint accepts (403), OAuth 2.0 scopes (403), the rate limit (429), and then
the endpoint itself. Every answer after authentication carries the x-rate-limit headers.
"""
from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from typing import Callable

from . import oauth1, ratelimit
from .problems import forbidden, unauthorized, unsupported_authentication, usage_capped
from .state import SandboxState
from .web import ApiError, Request, Response


@dataclass(frozen=True)
class Identity:
    """The caller. `user_id` is None for the app-only bearer token; `scopes` None means unscoped."""

    kind: str  # "oauth2", "oauth1" or "app"
    user_id: str | None
    scopes: frozenset[str] | None = None

    @property
    def rate_subject(self) -> str:
        return self.user_id or "app"


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
    if hmac.compare_digest(value, state.config.app_bearer_token):
        return Identity("app", None)
    with state.lock:
        access = state.access_tokens.get(value)
        if access is None or not access.is_valid(time.time()):
            raise unauthorized()
    if state.faults.roll("expire_token_rate"):
        state.expire_access_tokens(token=value)
        raise unauthorized()
    return Identity("oauth2", access.user_id, access.scopes)


def _oauth1_identity(state: SandboxState, req: Request) -> Identity:
    try:
        _, token = oauth1.verify(state, req, token_kind="access")
    except oauth1.SignatureError:
        raise unauthorized() from None
    assert token is not None and token.user_id is not None
    return Identity("oauth1", token.user_id)


def call_api(state: SandboxState, req: Request, endpoint: ApiEndpoint, params: dict[str, str]) -> Response:
    """Runs the shared checks, then the endpoint; rate headers go on its answer or its error."""
    ident = authenticate(state, req)
    if state.faults.settings.usage_capped:
        raise usage_capped()
    if ident.kind == "app" and endpoint.user_context:
        raise unsupported_authentication()
    if ident.scopes is not None and not set(endpoint.scopes) <= ident.scopes:
        raise forbidden()
    headers = ratelimit.consume(state, ident.rate_subject, endpoint.family)
    try:
        response = endpoint.handler(state, req, ident, **params)
    except ApiError as error:
        error.headers = {**headers, **error.headers}
        raise
    response.headers = {**headers, **response.headers}
    return response
