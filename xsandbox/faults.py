"""Switchable faults: random failures with a seedable RNG, delays, and one-shot forced answers.

Settings are read and merged through the control API (`/_sandbox/faults`) while the server runs.
"""
from __future__ import annotations

import dataclasses
import random
import threading
from dataclasses import dataclass
from typing import Any

from .web import ApiError


@dataclass
class FaultSettings:
    """Fault switches. Rates are probabilities 0..1 drawn per request; times are milliseconds."""

    tweet_fail_rate: float = 0.0  # POST /2/tweets answers 503 and creates nothing
    tweet_lose_answer_rate: float = 0.0  # POST /2/tweets creates the tweet, then drops the connection
    tweet_delay_ms: int = 0  # sleep before answering POST /2/tweets (never while holding a lock)
    slow_ms: int = 0  # sleep before answering any endpoint outside /_sandbox
    usage_capped: bool = False  # every /2 API call answers 429 UsageCapExceeded (the monthly cap)
    credits_depleted: bool = False  # every /2 API call answers 402 CreditsDepleted (pay-per-use)
    reply_not_summoned: bool = False  # replies to another author's tweet answer 403 (not summoned)
    media_processing_fails: bool = False  # processing of new uploads ends "failed" (InvalidMedia)
    expire_token_rate: float = 0.0  # per API call, the OAuth 2.0 access token expires right then
    tweet_app_daily_limit: int = 10000  # POST /2/tweets per app per 24 h (X: 10,000)
    tweet_user_daily_limit: int = 2400  # POST /2/tweets per user per 24 h (X's help centre: 2,400)
    seed: int | None = None  # seeds the RNG, so a run of random faults can be repeated

    def validate(self) -> None:
        """Raises ValueError when a value is out of range."""
        for name in ("tweet_fail_rate", "tweet_lose_answer_rate", "expire_token_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        for name in ("tweet_delay_ms", "slow_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        for name in ("tweet_app_daily_limit", "tweet_user_daily_limit"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")


BOOLEAN_FAULTS = ("usage_capped", "credits_depleted", "reply_not_summoned", "media_processing_fails")


def fault_field_names() -> set[str]:
    return {f.name for f in dataclasses.fields(FaultSettings)}


def coerce(name: str, value: Any) -> Any:
    """Converts a value from JSON or a CLI flag to the field's type. Raises ValueError."""
    if name == "seed":
        return None if value in (None, "") else int(value)
    if name in BOOLEAN_FAULTS:
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        return bool(value)
    if name.endswith(("_ms", "_limit")):
        return int(value)
    return float(value)


@dataclass
class ForcedAnswer:
    """A one-shot answer for the next `count` requests to `path` (and `method`, if given).

    With `lose_answer` the request is handled normally, then the connection is dropped unanswered.
    Otherwise the request is not handled at all and `status`/`body` are answered instead.
    `after`: let that many matching requests through untouched first (fail the 3rd post: after=2).
    """

    path: str
    count: int = 1
    after: int = 0
    method: str | None = None
    status: int = 503
    body: dict[str, Any] | None = None
    lose_answer: bool = False

    def matches(self, method: str, path: str) -> bool:
        return self.path == path and (self.method is None or self.method.upper() == method)

    def to_error(self) -> ApiError:
        body = self.body if self.body is not None else {
            "title": "Sandbox Forced Error", "detail": "Forced by /_sandbox/faults/next",
            "type": "about:blank", "status": self.status}
        return ApiError(self.status, body)


class FaultState:
    """The live fault settings, the RNG and the forced-answer queue, behind their own lock."""

    def __init__(self, initial: FaultSettings):
        initial.validate()
        self._initial = dataclasses.replace(initial)
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Back to the settings the sandbox was started with; forced answers are dropped."""
        with self._lock:
            self.settings = dataclasses.replace(self._initial)
            self._rng = random.Random(self.settings.seed)
            self._forced: list[ForcedAnswer] = []

    def merge(self, changes: dict[str, Any]) -> FaultSettings:
        """Applies `changes` (field name -> value) atomically. Raises ValueError on bad input."""
        unknown = set(changes) - fault_field_names()
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        with self._lock:
            updated = dataclasses.replace(
                self.settings, **{name: coerce(name, value) for name, value in changes.items()})
            updated.validate()
            self.settings = updated
            if "seed" in changes:
                self._rng = random.Random(updated.seed)
            return dataclasses.replace(updated)

    def roll(self, name: str) -> bool:
        """True with the probability held by rate setting `name`."""
        with self._lock:
            rate = getattr(self.settings, name)
            return rate > 0 and self._rng.random() < rate

    def force(self, answer: ForcedAnswer) -> None:
        if answer.count < 1:
            raise ValueError("count must be at least 1")
        if answer.after < 0:
            raise ValueError("after must be 0 or more")
        with self._lock:
            self._forced.append(answer)

    def take_forced(self, method: str, path: str) -> ForcedAnswer | None:
        """Consumes one use of the first forced answer matching this request, if any."""
        with self._lock:
            for answer in self._forced:
                if answer.matches(method, path):
                    if answer.after > 0:
                        answer.after -= 1
                        return None
                    answer.count -= 1
                    if answer.count == 0:
                        self._forced.remove(answer)
                    return dataclasses.replace(answer)
        return None

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {**dataclasses.asdict(self.settings),
                    "forced": [dataclasses.asdict(answer) for answer in self._forced]}
