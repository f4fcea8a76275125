"""Everything the sandbox remembers, in memory, behind one lock.

Handlers take `state.lock` for every read-modify-write and never sleep or do I/O while holding it.
Tests may read the records directly (`sb.state.tweets`, `sb.state.users`, ...).
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .config import SandboxConfig
from .faults import FaultSettings, FaultState

TWITTER_EPOCH_MS = 1288834974657  # the epoch of X's snowflake ids


@dataclass
class User:
    id: str
    username: str
    name: str
    created_at: float


@dataclass
class Tweet:
    id: str
    author_id: str
    text: str
    created_at: float
    media_ids: list[str] = field(default_factory=list)
    reply_to: str | None = None
    quote_of: str | None = None
    deleted: bool = False


@dataclass
class Media:
    """An upload. `state` runs uploading -> (pending -> in_progress ->) succeeded."""

    id: str
    media_key: str
    owner_id: str
    media_type: str
    category: str
    total_bytes: int
    created_at: float
    received_bytes: int = 0
    next_segment: int = 0
    state: str = "uploading"
    status_polls: int = 0
    alt_text: str | None = None
    # Only a running digest of the bytes is kept, so large uploads cost no memory.
    hasher: Any = field(default_factory=hashlib.sha256, repr=False, compare=False)

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes received so far: lets tests check binary chunks arrived intact."""
        return self.hasher.hexdigest()


@dataclass
class AccessToken:
    """An OAuth 2.0 user access token."""

    token: str
    user_id: str
    scopes: frozenset[str]
    expires_at: float
    revoked: bool = False

    def is_valid(self, now: float) -> bool:
        return not self.revoked and now < self.expires_at


@dataclass
class RefreshToken:
    """An OAuth 2.0 refresh token; single use. `chain` groups every token rotated from one grant."""

    token: str
    user_id: str
    scopes: frozenset[str]
    chain: str
    spent: bool = False
    revoked: bool = False


@dataclass
class AuthCode:
    code: str
    redirect_uri: str
    scopes: frozenset[str]
    code_challenge: str
    code_challenge_method: str
    user_id: str
    expires_at: float
    used: bool = False


@dataclass
class OAuth1Token:
    """A request token (no user until approved) or an access token (never expires)."""

    token: str
    secret: str
    kind: str  # "request" or "access"
    user_id: str | None = None
    callback: str = ""
    verifier: str = ""
    used: bool = False


@dataclass
class RateWindow:
    start: float
    used: int = 0


@dataclass
class Stats:
    refreshes_by_user: Counter[str] = field(default_factory=Counter)
    refresh_token_reuse: int = 0
    invalid_grant: int = 0
    tweets_by_user: Counter[str] = field(default_factory=Counter)
    requests_by_path: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "refreshes_by_user": dict(self.refreshes_by_user),
            "refresh_token_reuse": self.refresh_token_reuse,
            "invalid_grant": self.invalid_grant,
            "tweets_by_user": dict(self.tweets_by_user),
            "requests_by_path": dict(self.requests_by_path),
        }


def new_secret(nbytes: int = 24) -> str:
    return secrets.token_urlsafe(nbytes)


class SandboxState:
    """The sandbox's memory. Mutate only while holding `lock` (re-entrant)."""

    def __init__(self, config: SandboxConfig, faults: FaultSettings):
        self.config = config
        self.faults = FaultState(faults)
        self.lock = threading.RLock()
        self.started_at = time.time()
        self._clear()

    def _clear(self) -> None:
        self.users: dict[str, User] = {}
        self.user_ids_by_name: dict[str, str] = {}  # lower-cased username -> id
        self.tweets: dict[str, Tweet] = {}
        self.media: dict[str, Media] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.auth_codes: dict[str, AuthCode] = {}
        self.oauth1_tokens: dict[str, OAuth1Token] = {}
        self.rate_windows: dict[tuple[str, str], RateWindow] = {}
        self.stats = Stats()
        self._last_id = 0
        self._user_counter = 0

    def reset(self) -> None:
        """Forget everything, and put the fault settings back to how the sandbox started."""
        with self.lock:
            self._clear()
        self.faults.reset()

    # ---- ids ---------------------------------------------------------------------------------

    def new_id(self) -> str:
        """A snowflake-like id: numeric, strictly increasing, roughly time-ordered."""
        with self.lock:
            candidate = (int(time.time() * 1000) - TWITTER_EPOCH_MS) << 22
            self._last_id = max(candidate, self._last_id + 1)
            return str(self._last_id)

    def suggest_username(self) -> str:
        with self.lock:
            self._user_counter += 1
            return f"sandbox_user_{self._user_counter}"

    # ---- users and tokens --------------------------------------------------------------------

    def get_or_create_user(self, username: str) -> User:
        with self.lock:
            existing = self.user_ids_by_name.get(username.lower())
            if existing:
                return self.users[existing]
            user = User(self.new_id(), username, username.replace("_", " ").title(), time.time())
            self.users[user.id] = user
            self.user_ids_by_name[username.lower()] = user.id
            return user

    def issue_oauth2_tokens(self, user_id: str, scopes: frozenset[str],
                            chain: str | None = None) -> tuple[AccessToken, RefreshToken | None]:
        """A new access token, and a refresh token when the scopes include offline.access."""
        with self.lock:
            access = AccessToken(new_secret(), user_id, scopes, time.time() + self.config.access_token_ttl)
            self.access_tokens[access.token] = access
            refresh = None
            if "offline.access" in scopes:
                refresh = RefreshToken(new_secret(), user_id, scopes, chain or new_secret(8))
                self.refresh_tokens[refresh.token] = refresh
            return access, refresh

    def issue_oauth1_access_token(self, user_id: str) -> OAuth1Token:
        with self.lock:
            token = OAuth1Token(f"{user_id}-{new_secret(18)}", new_secret(), "access", user_id)
            self.oauth1_tokens[token.token] = token
            return token

    def expire_access_tokens(self, *, token: str | None = None, user_id: str | None = None) -> int:
        """Makes matching OAuth 2.0 access tokens expired now. Returns how many changed."""
        now = time.time()
        with self.lock:
            matching = [t for t in self.access_tokens.values()
                        if t.token == token or (user_id is not None and t.user_id == user_id)]
            for access in matching:
                access.expires_at = min(access.expires_at, now - 1)
            return len(matching)

    # ---- reporting ---------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {
                "users": len(self.users),
                "tweets": sum(not t.deleted for t in self.tweets.values()),
                "deleted_tweets": sum(t.deleted for t in self.tweets.values()),
                "media": len(self.media),
                "access_tokens": len(self.access_tokens),
                "refresh_tokens": len(self.refresh_tokens),
                "oauth1_tokens": len(self.oauth1_tokens),
            }
