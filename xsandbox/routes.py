"""The route table and `dispatch`, which turns a `Request` into a `Response`.

Order for everything outside /_sandbox: count the request, sleep `slow_ms`, apply a forced answer
queued with /_sandbox/faults/next, then the endpoint (for /2 API endpoints through `auth.call_api`).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Callable, Union

from . import control, media, oauth1, oauth2, profiles, tweets, users
from .auth import ApiEndpoint, call_api
from .problems import route_not_found
from .ratelimit import TWEETS_CREATE
from .state import SandboxState
from .web import ApiError, Request, Response

PlainHandler = Callable[..., Response]  # (state, req, **path_params) -> Response
PAGES = (profiles.status_page, profiles.profile_page)
WRITE_TWEETS = ("tweet.read", "tweet.write", "users.read")
READ_TWEETS = ("tweet.read", "users.read")


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str  # e.g. "/2/tweets/{tweet_id}"; the pattern is also the stats key
    target: Union[PlainHandler, ApiEndpoint]
    regex: re.Pattern[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        source = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.pattern)
        object.__setattr__(self, "regex", re.compile(f"^{source}$"))

    @property
    def is_control(self) -> bool:
        """Control API and web pages: no rate limits, stats or faults."""
        return self.pattern == "/" or self.pattern.startswith("/_sandbox/") or self.target in PAGES


def api(handler: Callable[..., Response], family: str, *, user: bool = False, scopes: tuple[str, ...] = ()) -> ApiEndpoint:
    return ApiEndpoint(handler, family, user_context=user, scopes=scopes)


ROUTES = [
    # OAuth 2.0
    Route("GET", "/i/oauth2/authorize", oauth2.authorize_page),
    Route("POST", "/i/oauth2/authorize", oauth2.authorize_decision),
    Route("POST", "/2/oauth2/token", oauth2.token),
    Route("POST", "/2/oauth2/revoke", oauth2.revoke),
    # OAuth 1.0a
    Route("POST", "/oauth/request_token", oauth1.request_token),
    Route("GET", "/oauth/authorize", oauth1.authorize_page),
    Route("POST", "/oauth/authorize", oauth1.authorize_decision),
    Route("GET", "/oauth/authenticate", oauth1.authorize_page),
    Route("POST", "/oauth/authenticate", oauth1.authorize_decision),
    Route("POST", "/oauth/access_token", oauth1.access_token),
    # Users and tweets
    Route("GET", "/2/users/me", api(users.me, "users:me", user=True, scopes=READ_TWEETS)),
    Route("GET", "/2/users/{user_id}", api(users.by_id, "users:read", scopes=READ_TWEETS)),
    Route("GET", "/2/users/{user_id}/tweets", api(users.timeline, "users:tweets", scopes=READ_TWEETS)),
    Route("POST", "/2/tweets", api(tweets.create, TWEETS_CREATE, user=True, scopes=WRITE_TWEETS)),
    Route("GET", "/2/tweets", api(tweets.lookup_many, "tweets:read", scopes=READ_TWEETS)),
    Route("GET", "/2/tweets/{tweet_id}", api(tweets.lookup_one, "tweets:read", scopes=READ_TWEETS)),
    Route("DELETE", "/2/tweets/{tweet_id}", api(tweets.delete, "tweets:delete", user=True, scopes=WRITE_TWEETS)),
    # Media
    Route("POST", "/2/media/upload/initialize", api(media.initialize, "media:upload", user=True, scopes=("media.write",))),
    Route("POST", "/2/media/upload/{media_id}/append", api(media.append, "media:upload", user=True, scopes=("media.write",))),
    Route("POST", "/2/media/upload/{media_id}/finalize", api(media.finalize, "media:upload", user=True, scopes=("media.write",))),
    Route("GET", "/2/media/upload", api(media.status, "media:status", user=True, scopes=("media.write",))),
    Route("POST", "/2/media/upload", api(media.upload_simple, "media:upload", user=True, scopes=("media.write",))),
    Route("POST", "/2/media/metadata", api(media.metadata, "media:metadata", user=True, scopes=("media.write",))),
    # Control API
    Route("GET", "/", control.home),
    Route("GET", "/_sandbox/state", control.counts),
    Route("GET", "/_sandbox/tweets", control.tweets),
    Route("GET", "/_sandbox/media", control.media),
    Route("POST", "/_sandbox/reset", control.reset),
    Route("GET", "/_sandbox/faults", control.get_faults),
    Route("POST", "/_sandbox/faults", control.set_faults),
    Route("POST", "/_sandbox/faults/next", control.force_next),
    Route("POST", "/_sandbox/users", control.create_user),
    Route("GET", "/_sandbox/apps", control.list_apps),
    Route("POST", "/_sandbox/apps", control.create_app),
    Route("POST", "/_sandbox/tokens/expire", control.expire_tokens),
    Route("GET", "/_sandbox/stats", control.stats),
    # Pages where X's web links point ("View on X"): last, so every route above wins.
    Route("GET", "/i/web/status/{tweet_id}", profiles.status_page),
    Route("GET", "/{username}/status/{tweet_id}", profiles.status_page),
    Route("GET", "/{username}", profiles.profile_page),
]


def match(method: str, path: str) -> tuple[Route | None, dict[str, str]]:
    for route in ROUTES:
        found = route.regex.match(path) if route.method == method else None
        if found:
            return route, found.groupdict()
    return None, {}


def dispatch(state: SandboxState, req: Request) -> Response:
    """The answer to `req`. Never raises ApiError; other exceptions are bugs (the server logs a 500)."""
    route, params = match(req.method, req.path)
    if route is None:
        if req.method == "GET" and not req.path.startswith(("/2/", "/_sandbox/", "/oauth/", "/i/oauth2/")):
            return profiles.not_found()  # a web address X would answer with a page
        return route_not_found(req.path).to_response()
    if route.is_control:
        return _run(state, req, route, params)
    with state.lock:
        state.stats.requests_by_path[f"{req.method} {route.pattern}"] += 1
    slow_ms = state.faults.settings.slow_ms
    if slow_ms:
        time.sleep(slow_ms / 1000)
    forced = state.faults.take_forced(req.method, req.path)
    if forced is not None and not forced.lose_answer:
        return forced.to_error().to_response()
    response = _run(state, req, route, params)
    if forced is not None:  # lose_answer: handled normally, then the answer is dropped
        response.lose_answer = True
    return response


def _run(state: SandboxState, req: Request, route: Route, params: dict[str, str]) -> Response:
    try:
        if isinstance(route.target, ApiEndpoint):
            return call_api(state, req, route.target, params)
        return route.target(state, req, **params)
    except ApiError as error:
        return error.to_response()
