"""Pay-per-use billing: every successful billable /2 call is charged into a ledger.

X has charged each API call since 2026-02-06 (x-api/getting-started/pricing.mdx; the prices are
the Developer Console's at the time of writing and are config settings here, in micro-dollars):

- creating a post: 15,000 (= $0.015); a post whose text holds a URL: 200,000 ($0.20);
- media metadata (alt text): 5,000 ($0.005);
- reading a post: 5,000 ($0.005), once per post per UTC day ("All resources are deduplicated
  within a 24-hour UTC day window"), counted per app (each app is its developer account here);
- reading your own data (GET /2/users/me): 1,000 ($0.001).

Media upload, delete and everything refused (4xx, 5xx) cost nothing. `GET /_sandbox/ledger` shows
the entries; `POST /_sandbox/reset` clears them.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .web import Request, Response

if TYPE_CHECKING:
    from .auth import ApiEndpoint, Identity
    from .state import SandboxState

MICROS = 1_000_000


@dataclass(frozen=True)
class Charge:
    at: float
    app_id: str
    user_id: str | None
    endpoint: str  # "POST /2/tweets"
    kind: str  # post_create, post_create_url, media_metadata, post_read, own_read
    micros: int
    resource_id: str = ""  # the post created or read

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = datetime.fromtimestamp(self.at, tz=timezone.utc).isoformat().replace("+00:00", "Z")
        data["usd"] = usd(self.micros)
        return data


def usd(micros: int) -> str:
    """Dollars as text with every digit X's prices have: 15000 -> "0.015"."""
    whole, rest = divmod(micros, MICROS)
    return f"{whole}.{rest:06d}".rstrip("0").rstrip(".") if rest else f"{whole}.00"


def _utc_day(at: float) -> str:
    return datetime.fromtimestamp(at, tz=timezone.utc).strftime("%Y-%m-%d")


def charge(state: SandboxState, req: Request, ident: Identity, endpoint: ApiEndpoint, response: Response) -> None:
    """Bill one answered call (2xx only) into `state.ledger`."""
    if not 200 <= response.status < 300:
        return
    prices = state.config
    name = f"{req.method} {req.path}"
    now = time.time()
    entries: list[Charge] = []
    if endpoint.family == "tweets:create":
        tweet_id = str(_body(response).get("data", {}).get("id", ""))
        tweet = state.tweets.get(tweet_id)
        with_url = bool(tweet and tweet.urls)
        entries.append(Charge(now, ident.app_id, ident.user_id, name, "post_create_url" if with_url else "post_create",
                              prices.price_post_create_url if with_url else prices.price_post_create, tweet_id))
    elif endpoint.family == "media:metadata":
        entries.append(Charge(now, ident.app_id, ident.user_id, name, "media_metadata", prices.price_media_metadata))
    elif endpoint.family == "users:me":
        entries.append(Charge(now, ident.app_id, ident.user_id, name, "own_read", prices.price_own_read))
    elif endpoint.family in ("tweets:read", "users:tweets"):
        data = _body(response).get("data")
        tweets = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        day = _utc_day(now)
        with state.lock:
            for tweet in tweets:
                key = (ident.app_id, str(tweet.get("id")), day)
                if key in state.reads_billed:
                    continue  # deduplicated within the UTC day
                state.reads_billed.add(key)
                entries.append(Charge(now, ident.app_id, ident.user_id, name, "post_read", prices.price_post_read,
                                      str(tweet.get("id"))))
    if entries:
        with state.lock:
            state.ledger.extend(entries)


def _body(response: Response) -> dict[str, Any]:
    try:
        body = json.loads(response.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def ledger(state: SandboxState, req: Request) -> Response:
    """GET /_sandbox/ledger[?app_id=..]: every charge, oldest first, with totals per app and kind."""
    from .web import json_response

    app_id = req.query.get("app_id")
    with state.lock:
        entries = [c for c in state.ledger if app_id is None or c.app_id == app_id]
    by_app: dict[str, int] = {}
    by_kind: dict[str, int] = {}
    for entry in entries:
        by_app[entry.app_id] = by_app.get(entry.app_id, 0) + entry.micros
        by_kind[entry.kind] = by_kind.get(entry.kind, 0) + entry.micros
    total = sum(by_app.values())
    return json_response(200, {
        "data": [entry.as_dict() for entry in entries],
        "total_micros": total, "total_usd": usd(total),
        "by_app": {k: {"micros": v, "usd": usd(v)} for k, v in by_app.items()},
        "by_kind": {k: {"micros": v, "usd": usd(v)} for k, v in by_kind.items()},
    })
