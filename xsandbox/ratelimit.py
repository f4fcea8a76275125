"""Fixed-window rate limits, reported in X's headers.

- every endpoint family: a 15-minute window per user and app (or per app for app-only reads),
  `x-rate-limit-limit/-remaining/-reset`;
- POST /2/tweets also: a 24-hour cap per app (`x-app-limit-24hour-*`) and per user
  (`x-user-limit-24hour-*`), both fault settings so tests can lower them at runtime.

A window starts with the first request after the previous one ended. Every authenticated /2 request
counts, including ones that fail validation (as on X); a request refused with 429 counts nowhere.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .problems import too_many_requests
from .state import RateWindow, SandboxState

if TYPE_CHECKING:
    from .auth import Identity

DAY_S = 86400
TWEETS_CREATE = "tweets:create"


def _window(state: SandboxState, key: tuple[str, str], length: int, now: float) -> RateWindow:
    window = state.rate_windows.get(key)
    if window is None or now >= window.start + length:
        window = state.rate_windows[key] = RateWindow(start=now)
    return window


def _headers(prefix: str, limit: int, window: RateWindow, length: int) -> dict[str, str]:
    return {
        f"{prefix}-limit": str(limit),
        f"{prefix}-remaining": str(max(limit - window.used, 0)),
        f"{prefix}-reset": str(int(window.start + length)),
    }


def consume(state: SandboxState, ident: Identity, family: str) -> dict[str, str]:
    """Counts one request by `ident` to `family`; returns the headers for its answer.

    Raises ApiError 429 (carrying every header) when any of its limits is spent; nothing is counted then.
    """
    config, faults = state.config, state.faults.settings
    now = time.time()
    limit = config.tweet_rate_limit if family == TWEETS_CREATE else config.default_rate_limit
    with state.lock:
        window = _window(state, (ident.rate_subject, family), config.rate_window_s, now)
        windows = [(window, limit, config.rate_window_s, "x-rate-limit")]
        if family == TWEETS_CREATE:
            app_day = _window(state, (f"app:{ident.app_id}", "tweets:create:24h"), DAY_S, now)
            # The user's daily cap counts across every app the user posts through.
            user_day = _window(state, (f"user:{ident.user_id}", "tweets:create:24h"), DAY_S, now)
            windows.append((app_day, faults.tweet_app_daily_limit, DAY_S, "x-app-limit-24hour"))
            windows.append((user_day, faults.tweet_user_daily_limit, DAY_S, "x-user-limit-24hour"))
        spent = any(w.used >= lim for w, lim, _, _ in windows)
        if not spent:
            for w, _, _, _ in windows:
                w.used += 1
        headers: dict[str, str] = {}
        for w, lim, length, prefix in windows:
            headers.update(_headers(prefix, lim, w, length))
    if spent:
        error = too_many_requests()
        error.headers.update(headers)
        raise error
    return headers
