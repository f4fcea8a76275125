"""Everything the sandbox remembers, in memory, behind one lock.

Handlers take `state.lock` for every read-modify-write and never sleep or do I/O while holding it.
Tests may read the records directly (`sb.state.tweets`, `sb.state.users`, ...).
"""
from __future__ import annotations

import dataclasses
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


DEFAULT_APP_ID = "1"


@dataclass(frozen=True)
class App:
    """A registered X app: one OAuth 2.0 client and one OAuth 1.0a consumer, plus its app-only bearer."""

    id: str
    name: str
    client_id: str
    client_secret: str
    consumer_key: str
    consumer_secret: str
    bearer_token: str

    def as_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclass
class User:
    id: str
    username: str
    name: str
    created_at: float
    verified_type: str = "none"  # X: "blue", "business", "government" or "none"
    subscription_type: str | None = None  # X: "Basic", "Premium", "PremiumPlus" or "None"

    @property
    def may_post_long(self) -> bool:
        """Premium subscribers may post up to 25,000 characters."""
        return self.subscription_type in ("Premium", "PremiumPlus")


@dataclass
class Tweet:
    """A post. `text`/`urls` are as X stores it (escaped, links as t.co, whole); `posted_text` is what
    the client sent; `long` marks a post over 280 whose `text` answers come cut, whole in note_tweet."""

    id: str
    author_id: str
    text: str
    created_at: float
    media_ids: list[str] = field(default_factory=list)
    reply_to: str | None = None
    quote_of: str | None = None
    deleted: bool = False
    posted_text: str = ""
    urls: list[dict[str, Any]] = field(default_factory=list)
    long: bool = False
    cut_text: str = ""  # for a long post: what `text` answers hold (computed once)
    cut_urls: list[dict[str, Any]] = field(default_factory=list)


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
    expires_at: float = 0.0  # after this the id can no longer be attached (set at init, then finalize)
    fails_processing: bool = False  # the media_processing_fails fault was on at upload
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
    app_id: str = DEFAULT_APP_ID

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
    app_id: str = DEFAULT_APP_ID


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
    app_id: str = DEFAULT_APP_ID


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
    app_id: str = DEFAULT_APP_ID


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
    expired_by_user: Counter[str] = field(default_factory=Counter)  # valid tokens expired by the fault

    def as_dict(self) -> dict[str, Any]:
        return {
            "refreshes_by_user": dict(self.refreshes_by_user),
            "refresh_token_reuse": self.refresh_token_reuse,
            "invalid_grant": self.invalid_grant,
            "tweets_by_user": dict(self.tweets_by_user),
            "requests_by_path": dict(self.requests_by_path),
            "expired_by_user": dict(self.expired_by_user),
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
        config = self.config
        self.apps: dict[str, App] = {DEFAULT_APP_ID: App(
            DEFAULT_APP_ID, "SocialHub (sandbox app)", config.client_id, config.client_secret,
            config.consumer_key, config.consumer_secret, config.app_bearer_token)}
        self._app_counter = 1
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

    # ---- apps ----------------------------------------------------------------------------------

    def register_app(self, name: str = "") -> App:
        """A new app with fresh credentials for OAuth 2.0, OAuth 1.0a and app-only reads."""
        with self.lock:
            self._app_counter += 1
            app_id = str(self._app_counter)
            app = App(app_id, name or f"Sandbox app {app_id}", f"client-{app_id}-{new_secret(9)}", new_secret(),
                      f"consumer-{app_id}-{new_secret(9)}", new_secret(), f"bearer-{app_id}-{new_secret()}")
            self.apps[app_id] = app
            return app

    def app_by(self, **credential: str) -> App | None:
        """The app whose `client_id`, `consumer_key` or `bearer_token` equals the one given."""
        (name, value), = credential.items()
        with self.lock:
            return next((app for app in self.apps.values() if getattr(app, name) == value), None)

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

    def issue_oauth2_tokens(self, user_id: str, scopes: frozenset[str], chain: str | None = None,
                            app_id: str = DEFAULT_APP_ID) -> tuple[AccessToken, RefreshToken | None]:
        """A new access token, and a refresh token when the scopes include offline.access."""
        with self.lock:
            access = AccessToken(new_secret(), user_id, scopes, time.time() + self.config.access_token_ttl,
                                 app_id=app_id)
            self.access_tokens[access.token] = access
            refresh = None
            if "offline.access" in scopes:
                refresh = RefreshToken(new_secret(), user_id, scopes, chain or new_secret(8), app_id=app_id)
                self.refresh_tokens[refresh.token] = refresh
            return access, refresh

    def issue_oauth1_access_token(self, user_id: str, app_id: str = DEFAULT_APP_ID) -> OAuth1Token:
        with self.lock:
            token = OAuth1Token(f"{user_id}-{new_secret(18)}", new_secret(), "access", user_id, app_id=app_id)
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
                "apps": len(self.apps),
                "access_tokens": len(self.access_tokens),
                "refresh_tokens": len(self.refresh_tokens),
                "oauth1_tokens": len(self.oauth1_tokens),
            }
