"""Users: /2/users/me, /2/users/{id} and a user's timeline, /2/users/{id}/tweets."""
from __future__ import annotations

import hashlib
import time
from datetime import datetime
from typing import Any

from .auth import Identity
from .problems import invalid_request, not_found_error
from .state import SandboxState, Tweet, User
from .tweets import iso_time, render, requested_fields
from .web import Request, Response, json_response

MIN_RESULTS, MAX_RESULTS, DEFAULT_RESULTS = 5, 100, 10


def me(state: SandboxState, req: Request, ident: Identity) -> Response:
    """GET /2/users/me: the user the token belongs to."""
    assert ident.user_id is not None
    return _user_answer(state, req, ident.user_id, "id")


def by_id(state: SandboxState, req: Request, ident: Identity, user_id: str) -> Response:
    """GET /2/users/{id}. An unknown id is a 200 with `errors`, as on X."""
    return _user_answer(state, req, user_id, "id")


def _user_answer(state: SandboxState, req: Request, user_id: str, parameter: str) -> Response:
    fields = requested_fields(req, "user.fields")
    with state.lock:
        user = state.users.get(user_id)
        if user is None:
            return json_response(200, {"errors": [not_found_error("user", parameter, user_id)]})
        return json_response(200, {"data": render_user(state, user, fields)})


def render_user(state: SandboxState, user: User, fields: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"id": user.id, "name": user.name, "username": user.username}
    if "verified_type" in fields:
        data["verified_type"] = user.verified_type
    if "verified" in fields:
        data["verified"] = user.verified_type != "none"
    if "subscription_type" in fields and user.subscription_type is not None:
        data["subscription_type"] = user.subscription_type
    if "description" in fields:
        data["description"] = f"Sandbox account @{user.username}."
    if "profile_image_url" in fields:
        data["profile_image_url"] = f"https://pbs.twimg.com/profile_images/sandbox/{user.username}_normal.png"
    if "created_at" in fields:
        data["created_at"] = iso_time(user.created_at)
    if "public_metrics" in fields:
        data["public_metrics"] = _user_metrics(state, user)
    return data


def _user_metrics(state: SandboxState, user: User) -> dict[str, int]:
    seed = int.from_bytes(hashlib.sha256(user.id.encode()).digest()[:4], "big")
    posts = sum(t.author_id == user.id and not t.deleted for t in state.tweets.values())
    return {
        "followers_count": seed % 5000,
        "following_count": seed % 700,
        "tweet_count": posts,  # the name in X's answers and tweepy's cassettes
        "post_count": posts,  # the same count under the spec's (v2.167) name
        "listed_count": seed % 30,
        "like_count": seed % 9000,
    }


def timeline(state: SandboxState, req: Request, ident: Identity, user_id: str) -> Response:
    """GET /2/users/{id}/tweets: newest first, filtered by `since_id`/`until_id` (exclusive),
    `start_time`/`end_time` (ISO 8601, start inclusive, end exclusive) and `exclude=replies`,
    `max_results` 5..100 a page, paged by `pagination_token` (meta.next_token)."""
    query = req.query
    limit = _max_results(query.get("max_results"))
    before = _pagination_token(query.get("pagination_token"))
    since_id, until_id = _id_param(query, "since_id"), _id_param(query, "until_id")
    start, end = _time_param(query, "start_time"), _time_param(query, "end_time")
    exclude = {value for value in query.get("exclude", "").split(",") if value}
    if not exclude <= {"replies", "retweets"}:
        raise invalid_request("The `exclude` query parameter takes replies and retweets.",
                              {"exclude": [query["exclude"]]})
    if start is not None and end is not None and start >= end:
        raise invalid_request("The `start_time` query parameter value must be before the `end_time` value.",
                              {"start_time": [query["start_time"]], "end_time": [query["end_time"]]})
    fields = requested_fields(req, "tweet.fields")
    now = time.time()

    def wanted(tweet: Tweet) -> bool:
        number = int(tweet.id)
        return (tweet.author_id == user_id and not tweet.deleted
                and not ("replies" in exclude and tweet.reply_to)  # the sandbox has no retweets
                and (before is None or number < before)
                and (since_id is None or number > since_id) and (until_id is None or number < until_id)
                and (start is None or tweet.created_at >= start) and (end is None or tweet.created_at < end))

    with state.lock:
        if user_id not in state.users:
            return json_response(200, {"errors": [not_found_error("user", "id", user_id)]})
        tweets = sorted((t for t in state.tweets.values() if wanted(t)), key=lambda t: int(t.id), reverse=True)
        page = [render(state, t, fields, now) for t in tweets[:limit]]
    if not page:
        return json_response(200, {"meta": {"result_count": 0}})
    meta: dict[str, Any] = {"result_count": len(page), "newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
    if len(tweets) > limit:
        meta["next_token"] = _make_token(page[-1]["id"])
    return json_response(200, {"data": page, "meta": meta})


def _id_param(query: dict[str, str], name: str) -> int | None:
    value = query.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise invalid_request(f"The `{name}` query parameter value [{value}] is not valid", {name: [value]})
    return int(value)


def _time_param(query: dict[str, str], name: str) -> float | None:
    """An RFC 3339 time such as 2024-05-01T12:00:00Z (fractions and offsets allowed)."""
    value = query.get(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError(value)
    except ValueError:
        raise invalid_request(f"Invalid '{name}':'{value}'. '{name}' must be a RFC 3339 date-time such as "
                              "2024-05-01T12:00:00Z.", {name: [value]}) from None
    return moment.timestamp()


def _max_results(value: str | None) -> int:
    if value is None:
        return DEFAULT_RESULTS
    if not value.isdigit() or not MIN_RESULTS <= int(value) <= MAX_RESULTS:
        raise invalid_request(f"The `max_results` query parameter value [{value}] is not between "
                              f"{MIN_RESULTS} and {MAX_RESULTS}", {"max_results": [value]})
    return int(value)


def _make_token(oldest_id: str) -> str:
    """Opaque to clients, like X's tokens; here just the oldest id shown, in base 36."""
    number, digits = int(oldest_id), ""
    while number:
        number, remainder = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[remainder] + digits
    return "sbx" + digits


def _pagination_token(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        if not value.startswith("sbx"):
            raise ValueError
        return int(value[3:], 36)
    except ValueError:
        raise invalid_request("The `pagination_token` query parameter value is invalid.",
                              {"pagination_token": [value]}) from None
