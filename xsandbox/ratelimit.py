"""Fixed-window rate limits per (user, endpoint family), reported in X's `x-rate-limit-*` headers.

A window starts with the first request after the previous one ended and lasts `rate_window_s`.
Every authenticated /2 request counts, including ones that fail validation (as on X).
"""
from __future__ import annotations

import time

from .problems import too_many_requests
from .state import RateWindow, SandboxState

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


def consume(state: SandboxState, subject: str, family: str) -> dict[str, str]:
    """Counts one request by `subject` (a user id, or "app") to `family`; returns the headers.

    Raises ApiError 429 (carrying the headers) when a limit is spent; nothing is counted then.
    """
    config = state.config
    now = time.time()
    limit = config.tweet_rate_limit if family == TWEETS_CREATE else config.default_rate_limit
    with state.lock:
        window = _window(state, (subject, family), config.rate_window_s, now)
        windows = [(window, limit, config.rate_window_s, "x-rate-limit")]
        if family == TWEETS_CREATE:  # X also caps posting per app per day
            daily = _window(state, ("app", "tweets:create:24h"), DAY_S, now)
            windows.append((daily, config.tweet_app_daily_limit, DAY_S, "x-app-limit-24hour"))
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
