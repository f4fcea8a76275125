"""A small client for the X (Twitter) API v2.

Plain Python on purpose: no Django import, every base URL passed in by the caller
(the Django side hands over ``settings.X_API_URL``). It returns plain data and raises
one error type, ``XError``, which says whether a retry can help and whether X may
already have done the work (a timed-out POST may have created the tweet: X has no
idempotency key).

Token refresh locking across workers is the Django service layer's job, not this one's.

Secrets never go into logs, exception messages or reprs. requests-oauthlib and oauthlib
log bearer tokens and signed headers at DEBUG, so this module filters DEBUG records out of
the loggers that do (see ``_LEAKY_LOGGERS``).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from typing import IO, Any

import requests
from oauthlib.oauth2 import InsecureTransportError, is_secure_transport
from requests_oauthlib import OAuth1
from urllib3.exceptions import ClosedPoolError, MaxRetryError, NewConnectionError

from socials.error_kinds import ErrorKind, RateLimit, info, message_for

logger = logging.getLogger("platforms.x")

# These log "Adding token {'access_token': ...}" and Authorization headers at DEBUG.
# A filter on a logger only sees records logged on that very logger, hence the full names.
_LEAKY_LOGGERS = (
    "requests_oauthlib.oauth2_session",
    "requests_oauthlib.oauth1_session",
    "requests_oauthlib.oauth1_auth",
    "oauthlib.oauth1.rfc5849",
)


def _above_debug(record: logging.LogRecord) -> bool:
    return record.levelno > logging.DEBUG


for _name in _LEAKY_LOGGERS:
    logging.getLogger(_name).addFilter(_above_debug)

__all__ = [
    "AppBearerCredentials",
    "Credentials",
    "OAuth1Credentials",
    "OAuth2Credentials",
    "TokenSet",
    "XClient",
    "XError",
    "refresh_oauth2_token",
    "revoke_oauth2_token",
]

DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."
# X's 403 to a reply from an account the original author did not mention or quote (self-serve
# apps may reply only when "summoned": docs x-api/posts/manage-tweets/integrate.mdx).
NOT_SUMMONED_DETAIL = "Reply to this conversation is not allowed"
# X's 400 "Invalid Request" carries this generic detail; the reason is in errors[].message.
GENERIC_INVALID_DETAIL = "One or more parameters to your request was invalid."
# The 24-hour windows X names in headers beside x-rate-limit-* (POST /2/tweets has both).
DAILY_WINDOWS = ("x-user-limit-24hour", "x-app-limit-24hour")
TWEETS_PER_LOOKUP = 100  # GET /2/tweets accepts at most 100 ids
MEDIA_PROCESSING_STATES = frozenset({"pending", "in_progress"})

Timeout = tuple[float, float]


# --- Credentials -------------------------------------------------------------------


class _HiddenRepr:
    """Mixin for frozen dataclasses: the repr names the fields but shows no values."""

    def __repr__(self) -> str:
        hidden = ", ".join(f"{f.name}=***" for f in fields(self))  # type: ignore[arg-type]
        return f"{type(self).__name__}({hidden})"

    __str__ = __repr__


@dataclass(frozen=True, repr=False)
class OAuth1Credentials(_HiddenRepr):
    """OAuth 1.0a user context: the app's consumer pair plus the user's access pair."""

    consumer_key: str
    consumer_secret: str
    token: str
    token_secret: str


@dataclass(frozen=True, repr=False)
class OAuth2Credentials(_HiddenRepr):
    """OAuth 2.0 user context: a user access token (lives 2 hours; refresh it first)."""

    access_token: str


@dataclass(frozen=True, repr=False)
class AppBearerCredentials(_HiddenRepr):
    """App-only bearer token: X lets it read, never write."""

    bearer_token: str


Credentials = OAuth1Credentials | OAuth2Credentials | AppBearerCredentials


@dataclass(frozen=True, repr=False)
class TokenSet:
    """The result of an OAuth 2.0 refresh. Save it before doing anything else:
    X's refresh tokens are reported to work only once."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime
    scope: str

    def __repr__(self) -> str:
        return f"TokenSet(access_token=***, refresh_token=***, expires_at={self.expires_at!r}, scope={self.scope!r})"

    __str__ = __repr__


# --- Errors --------------------------------------------------------------------------


class XError(Exception):
    """One error type for every failure talking to X.

    kind: an ErrorKind (socials.error_kinds, which also gives its user message).
    ``permanent`` is True when retrying the same call will not help.
    ``outcome_unknown`` is True when X may have received the request and done its work:
    reconcile before re-sending a POST.
    """

    def __init__(
        self,
        kind: str,
        *,
        status: int | None = None,
        title: str = "",
        detail: str = "",
        type: str = "",
        permanent: bool | None = None,
        reset_at: datetime | None = None,
        outcome_unknown: bool = False,
        user_message: str = "",
    ) -> None:
        self.kind = ErrorKind(kind)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.permanent = not info(kind).retryable if permanent is None else permanent
        self.reset_at = reset_at
        self.outcome_unknown = outcome_unknown
        self.user_message = user_message or message_for(kind, detail=detail, reset_at=reset_at)
        super().__init__(self._describe())

    def _describe(self) -> str:
        status = f" HTTP {self.status}" if self.status is not None else ""
        text = ": ".join(part for part in (self.title, self.detail) if part)
        return f"X {self.kind}{status}: {text}" if text else f"X {self.kind}{status}"

    def __repr__(self) -> str:
        return f"XError({self.kind!r}, status={self.status!r}, permanent={self.permanent!r}, detail={self.detail!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments defeat Exception's default pickling; task queues pickle.
        return (_rebuild_xerror, (dict(self.__dict__),))


def _rebuild_xerror(state: dict[str, Any]) -> XError:
    error = XError.__new__(XError)
    error.__dict__.update(state)
    Exception.__init__(error, error._describe())
    return error


OUTCOME_UNKNOWN_MESSAGE = "X did not answer, and may have done it anyway: check X before trying again"


def _problem(response: requests.Response) -> dict[str, Any]:
    """X's problem JSON (title/detail/type), falling back to OAuth and v1.1 shapes."""
    body = _json_or_none(response)
    if not isinstance(body, dict):
        return {"title": response.reason or "", "detail": response.text[:200]}
    errors = [e for e in body.get("errors") or [] if isinstance(e, dict)] if isinstance(body.get("errors"), list) else []
    first = errors[0] if errors else {}
    detail = str(body.get("detail") or body.get("error_description") or first.get("message") or "")
    # 400 "Invalid Request": the generic detail says nothing; each errors[].message says what
    # (e.g. "Your Tweet text is too long", "Your media IDs are invalid.").
    reasons = list(dict.fromkeys(str(e["message"]) for e in errors if e.get("message")))
    if reasons and (not detail or detail == GENERIC_INVALID_DETAIL):
        detail = "; ".join(reasons)
    return {
        "title": str(body.get("title") or body.get("error") or first.get("title") or response.reason or ""),
        "detail": detail,
        "type": str(body.get("type") or first.get("type") or ""),
    }


def _classify(status: int, problem: dict[str, Any], *, media: bool) -> ErrorKind:
    """The kind for an HTTP error answer. Order matters: the specific before the generic."""
    title, detail, type_ = problem.get("title", ""), problem.get("detail", ""), problem.get("type", "")
    # The usage cap comes as a 429 (title "UsageCapExceeded"): it must win over rate_limited,
    # a retry won't help.
    if type_.endswith("/usage-capped") or title in ("Usage Cap Exceeded", "UsageCapExceeded"):
        return ErrorKind.USAGE_CAPPED
    # 402: the app's pay-per-use credits are spent. Nothing works until staff add credits.
    if status == 402 or title == "CreditsDepleted":
        return ErrorKind.CREDITS_DEPLETED
    if status == 401:
        return ErrorKind.AUTH
    if status == 429:
        return ErrorKind.RATE_LIMITED
    if status >= 500:
        return ErrorKind.SERVER
    if title == "Unsupported Authentication":
        return ErrorKind.APP_ONLY
    if detail == DUPLICATE_DETAIL:
        return ErrorKind.DUPLICATE
    if status == 403 and NOT_SUMMONED_DETAIL.lower() in detail.lower():
        return ErrorKind.REPLY_NOT_SUMMONED
    if _mentions_length(f"{title} {detail}"):
        return ErrorKind.TOO_LONG
    if media:
        return ErrorKind.MEDIA
    return ErrorKind.FORBIDDEN if status == 403 else ErrorKind.BAD_REQUEST


def _mentions_length(text: str) -> bool:
    lowered = text.lower()
    return "too long" in lowered or "length" in lowered


def _http_error(response: requests.Response, *, media: bool = False) -> XError:
    problem = _problem(response)
    kind = _classify(response.status_code, problem, media=media)
    if kind != ErrorKind.RATE_LIMITED:
        return XError(kind, status=response.status_code, **problem)
    reset_at, daily = _reset_at(response)
    message = ""
    if daily and reset_at:
        message = f"Wait until {reset_at:%Y-%m-%d %H:%M} UTC: X's 24-hour limit on posts is reached"
    return XError(kind, status=response.status_code, reset_at=reset_at, user_message=message, **problem)


def _reset_at(response: requests.Response) -> tuple[datetime | None, bool]:
    """When a 429's limit lifts: the latest reset among the windows X says are exhausted
    (15-minute, per-user 24-hour, per-app 24-hour), else the 15-minute window's reset.
    A daily cap answers with the 15-minute window's reset too: waiting only for that would
    spend an attempt every 15 minutes against a limit that lifts tomorrow.
    Returns the time and whether it is a 24-hour window's."""
    headers = response.headers
    exhausted: list[tuple[datetime, bool]] = []
    fallback = None
    for prefix in ("x-rate-limit", *DAILY_WINDOWS):
        reset = _int_or_none(headers.get(f"{prefix}-reset"))
        if reset is None:
            continue
        at = datetime.fromtimestamp(reset, tz=timezone.utc)
        if prefix == "x-rate-limit":
            fallback = at
        if _int_or_none(headers.get(f"{prefix}-remaining")) == 0:
            exhausted.append((at, prefix in DAILY_WINDOWS))
    return max(exhausted) if exhausted else (fallback, False)


def _network_error(exc: requests.RequestException) -> XError:
    """Map a requests exception. Unless we can tell nothing was sent, assume it may have been."""
    unknown = not _nothing_sent(exc)
    kind = ErrorKind.TIMEOUT if isinstance(exc, requests.Timeout) else ErrorKind.CONNECTION
    what = "X did not answer in time" if kind == ErrorKind.TIMEOUT else "The connection to X failed"
    detail = f"{what} ({type(exc).__name__})"
    if unknown:
        detail += "; X may have received the request"
    return XError(
        kind,
        title="Timeout" if kind == ErrorKind.TIMEOUT else "Connection error",
        detail=detail,
        outcome_unknown=unknown,
        user_message=OUTCOME_UNKNOWN_MESSAGE if unknown else "",
    )


def _nothing_sent(exc: requests.RequestException) -> bool:
    """True only when the request provably never left: connect timeout, refused, DNS, TLS."""
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.SSLError, requests.exceptions.ProxyError)):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args:
        cause = exc.args[0]
        if isinstance(cause, ClosedPoolError):
            return True
        if isinstance(cause, MaxRetryError) and isinstance(cause.reason, NewConnectionError):
            return True
    return False


# --- HTTP plumbing -------------------------------------------------------------------


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _rate_limit(response: requests.Response) -> RateLimit | None:
    headers = response.headers
    if not any(h in headers for h in ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset")):
        return None
    reset = _int_or_none(headers.get("x-rate-limit-reset"))
    return RateLimit(
        limit=_int_or_none(headers.get("x-rate-limit-limit")),
        remaining=_int_or_none(headers.get("x-rate-limit-remaining")),
        reset_at=datetime.fromtimestamp(reset, tz=timezone.utc) if reset is not None else None,
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    path: str,
    timeout: Timeout,
    proxies: Mapping[str, str],
    auth: requests.auth.AuthBase | None = None,
    hooks: Mapping[str, list[Callable]] | None = None,
    headers: Mapping[str, str] | None = None,
    **body: Any,
) -> requests.Response:
    """Send one request and log one line about it. Raises XError on network failures only.

    The request is prepared here and handed to `session.send`, not `session.request`: merging a
    session's settings into each request (headers, params, auth, hooks, cookies, the environment)
    cost about 5% of a publish's CPU, and these sessions have nothing to merge beyond their
    headers and cookies. `proxies` are the environment's, read once (`_environ_proxies`); `body`:
    params, json, data or files."""
    started = time.monotonic()
    try:
        if headers:
            headers = {**session.headers, **headers}  # both spell them as requests does
        request = requests.PreparedRequest()
        request.prepare(
            method=method, url=url, headers=headers or session.headers, auth=auth, cookies=session.cookies,
            hooks=hooks, **body,
        )
        response = session.send(request, timeout=timeout, proxies=dict(proxies), verify=session.verify)
    except requests.RequestException as exc:
        logger.debug("%s %s -> %s in %d ms", method, path, type(exc).__name__, _ms_since(started))
        raise _network_error(exc) from exc
    logger.debug("%s %s -> %s in %d ms", method, path, response.status_code, _ms_since(started))
    return response


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


_pool = threading.local()


def _pooled_session(credentials: Credentials) -> requests.Session:
    """The calling thread's session, shared by every account: its connections to X stay open
    between calls (a new session per call opened a new connection each time). Each client
    signs its own requests (`_auth`)."""
    session = getattr(_pool, "session", None)
    if session is None:
        session = _pool.session = _new_session()
    return session


def _new_session() -> requests.Session:
    """A session that does not read the environment on each request (`trust_env` off): requests
    would scan os.environ for proxy settings twice per call, about 8% of a publish's CPU. The
    environment's proxies (HTTPS_PROXY, NO_PROXY, ...) are read once per X address instead
    (`_environ_proxies`, which `_send` uses for every session), and its CA bundle
    (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE) when the session is made: set them before the process
    starts, as for any setting."""
    session = requests.Session()
    session.trust_env = False
    session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    return session


@functools.cache
def _environ_proxies(api_url: str) -> dict[str, str]:
    """The proxies the environment names for this address (none when NO_PROXY exempts it), as
    requests would find them for each request with trust_env on: read once per process."""
    return requests.utils.get_environ_proxies(api_url)


class _Bearer(requests.auth.AuthBase):
    """OAuth 2.0 bearer token (user context or app-only), over https only, as oauthlib insists
    (OAUTHLIB_INSECURE_TRANSPORT lets the loopback sandbox through)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if not is_secure_transport(request.url):
            raise InsecureTransportError()
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def _auth(credentials: Credentials) -> requests.auth.AuthBase:
    if isinstance(credentials, OAuth1Credentials):
        return OAuth1(
            credentials.consumer_key,
            client_secret=credentials.consumer_secret,
            resource_owner_key=credentials.token,
            resource_owner_secret=credentials.token_secret,
        )  # HMAC-SHA1 in the Authorization header is the default
    if isinstance(credentials, OAuth2Credentials):
        return _Bearer(credentials.access_token)
    if isinstance(credentials, AppBearerCredentials):
        return _Bearer(credentials.bearer_token)
    raise TypeError(f"Unsupported credentials: {type(credentials).__name__}")


# --- The client ----------------------------------------------------------------------


class XClient:
    """The X API v2 calls SocialHub needs. Every method raises XError on failure."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        api_url: str,
        timeout: Timeout = (5, 20),
        session_factory: Callable[[Credentials], requests.Session] | None = None,
    ) -> None:
        self.credentials = credentials
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self.auth = _auth(credentials)
        self.session = (session_factory or _pooled_session)(credentials)
        self._owns_session = session_factory is not None
        # This client's own response hooks (costs.recorder), sent with each of its requests: the
        # pooled session is shared by every account's clients on the thread.
        self.hooks: dict[str, list[Callable]] = {"response": []}
        self.last_rate_limit: RateLimit | None = None
        # When X forgets the media of the last upload_media (from "expires_after_secs"), if it said.
        self.last_media_expires_at: datetime | None = None

    def __repr__(self) -> str:
        return f"XClient({type(self.credentials).__name__}, api_url={self.api_url!r})"

    def close(self) -> None:
        if self._owns_session:  # the thread's pooled session stays open for the next client
            self.session.close()

    def __enter__(self) -> XClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Users

    def get_me(self, *, user_fields: str | None = None) -> dict:
        """The authenticated user (GET /2/users/me). Raises XError."""
        return self._data("GET", "/2/users/me", params=_fields_param("user.fields", user_fields))

    def get_user(self, user_id: str, *, user_fields: str | None = None) -> dict:
        """One user by id (GET /2/users/:id). Raises XError."""
        return self._data("GET", f"/2/users/{user_id}", params=_fields_param("user.fields", user_fields))

    def user_tweets(
        self,
        user_id: str,
        *,
        max_results: int = 100,
        since_id: str | None = None,
        start_time: datetime | None = None,
        tweet_fields: str = "created_at,public_metrics",
        pages: int = 1,
    ) -> list[dict]:
        """The user's tweets, newest first: up to ``pages`` pages of up to ``max_results``
        (clamped to X's 5..100), following ``meta.next_token``. ``start_time``: only tweets
        created since then (X bills every post read under pay-per-use: read no more than
        needed). Raises XError."""
        params: dict[str, Any] = {"max_results": min(max(max_results, 5), 100), "tweet.fields": tweet_fields}
        if since_id:
            params["since_id"] = since_id
        if start_time:
            params["start_time"] = start_time.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        tweets: list[dict] = []
        for _ in range(max(pages, 1)):
            body = self._call("GET", f"/2/users/{user_id}/tweets", params=params)
            tweets.extend(body.get("data") or [])
            next_token = (body.get("meta") or {}).get("next_token")
            if not next_token:
                break
            params = {**params, "pagination_token": next_token}
        return tweets

    # Tweets

    def create_tweet(
        self, text: str, *, media_ids: Sequence[str] = (), reply_to: str | None = None, options: Mapping | None = None
    ) -> dict:
        """Post a tweet and return X's ``{"id", "text"}``. ``options``: more CreatePostsRequest
        properties (poll, reply_settings, quote_tweet_id, community_id, made_with_ai, ...), sent as given.

        Raises XError; kind "app_only" without sending anything for app bearer credentials.
        On ``outcome_unknown`` the tweet may exist: reconcile before posting again.
        """
        if isinstance(self.credentials, AppBearerCredentials):
            raise XError(
                ErrorKind.APP_ONLY,
                title="Unsupported Authentication",
                detail="An app-only bearer token cannot post; not sent",
            )
        return self._data("POST", "/2/tweets", json={**_tweet_payload(text, media_ids, reply_to), **(options or {})})

    def get_tweets(self, ids: Sequence[str], *, tweet_fields: str = "public_metrics,created_at") -> list[dict]:
        """Look tweets up by id, 100 per request. Deleted or hidden tweets are simply
        missing from the result. Raises XError."""
        tweets: list[dict] = []
        for batch in _batches(list(ids), TWEETS_PER_LOOKUP):
            body = self._call("GET", "/2/tweets", params={"ids": ",".join(batch), "tweet.fields": tweet_fields})
            tweets.extend(body.get("data") or [])
        return tweets

    def delete_tweet(self, tweet_id: str) -> None:
        """Delete one of the user's tweets (DELETE /2/tweets/:id). Raises XError."""
        self._call("DELETE", f"/2/tweets/{tweet_id}")

    # Media

    def upload_media(
        self,
        fileobj: IO[bytes],
        *,
        media_type: str,
        total_bytes: int,
        media_category: str,
        chunk_size: int = 1024 * 1024,
        poll: Callable[[float], Any] = time.sleep,
        max_wait: float = 300,
    ) -> str:
        """Upload media with the v2 chunked flow and return the media id once X can use it.

        initialize -> append each chunk (segment_index 0, 1, ...) -> finalize -> poll STATUS
        while X processes it. Raises XError: kind "media" permanent if X rejects or fails
        the media, kind "media" retryable if processing outlasts ``max_wait`` seconds.
        Sets ``last_media_expires_at`` from the lifetime FINALIZE (then STATUS) gives, never
        INITIALIZE's: X's docs show 1,295,999 s at initialize and 86,400 s at finalize.
        Raises ValueError if the file holds a different number of bytes than ``total_bytes``.
        """
        init = {"media_type": media_type, "total_bytes": total_bytes, "media_category": media_category}
        self.last_media_expires_at = None
        initialized = self._data("POST", "/2/media/upload/initialize", json=init, media=True)
        media_id = str(initialized["id"])
        sent = self._append_chunks(media_id, fileobj, chunk_size)
        if sent != total_bytes:
            raise ValueError(f"Read {sent} bytes from the file, expected total_bytes={total_bytes}")
        asked = datetime.now(timezone.utc)
        finalized = self._data("POST", f"/2/media/upload/{media_id}/finalize", media=True)
        self._note_lifetime(finalized, asked)
        self._wait_for_processing(media_id, finalized.get("processing_info"), poll=poll, max_wait=max_wait)
        return media_id

    def _note_lifetime(self, answer: dict, asked: datetime) -> None:
        """Remember when X forgets the media, from an answer's ``expires_after_secs`` (counted
        from when we asked, so a slow answer errs early)."""
        seconds = _int_or_none(str(answer.get("expires_after_secs", "")) or None)
        if seconds is not None:
            self.last_media_expires_at = asked + timedelta(seconds=seconds)

    def set_alt_text(self, media_id: str, text: str) -> None:
        """Attach alt text (up to 1,000 characters) to uploaded media. Raises XError."""
        payload = {"id": media_id, "metadata": {"alt_text": {"text": text}}}
        self._call("POST", "/2/media/metadata", json=payload, media=True)

    def _append_chunks(self, media_id: str, fileobj: IO[bytes], chunk_size: int) -> int:
        sent = 0
        for index, chunk in enumerate(_chunks(fileobj, chunk_size)):
            self._call(
                "POST",
                f"/2/media/upload/{media_id}/append",
                data={"segment_index": str(index)},
                files={"media": ("chunk", chunk, "application/octet-stream")},
                media=True,
            )
            sent += len(chunk)
        return sent

    def _wait_for_processing(
        self, media_id: str, info: dict | None, *, poll: Callable[[float], Any], max_wait: float
    ) -> None:
        waited = 0.0
        while info and info.get("state") in MEDIA_PROCESSING_STATES:
            delay = float(info.get("check_after_secs") or 1)
            if waited + delay > max_wait:
                raise XError(
                    ErrorKind.MEDIA,
                    permanent=False,
                    title="Processing timeout",
                    detail=f"X was still processing media {media_id} after {waited:.0f} s",
                    user_message="X is still processing the media: try again in a few minutes",
                )
            poll(delay)
            waited += delay
            asked = datetime.now(timezone.utc)
            status = self._media_status(media_id)
            self._note_lifetime(status, asked)
            info = status.get("processing_info")
        if info and info.get("state") == "failed":
            raise _processing_failed(info)

    def _media_status(self, media_id: str) -> dict:
        params = {"command": "STATUS", "media_id": media_id}
        return self._data("GET", "/2/media/upload", params=params, media=True)

    # Plumbing

    def _data(self, method: str, path: str, **kwargs: Any) -> dict:
        """The ``data`` object of a successful answer. Raises XError."""
        body = self._call(method, path, **kwargs)
        data = body.get("data")
        if not isinstance(data, dict):
            raise _missing_data(body, method=method)
        return data

    def _call(self, method: str, path: str, *, media: bool = False, **kwargs: Any) -> dict:
        """Send, record rate limits, and return the JSON body ({} when empty). Raises XError."""
        response = _send(
            self.session, method, self.api_url + path, path=path, timeout=self.timeout,
            proxies=_environ_proxies(self.api_url), auth=self.auth, hooks=self.hooks, **kwargs
        )
        self.last_rate_limit = _rate_limit(response)
        if not response.ok:
            raise _http_error(response, media=media)
        if not response.content:
            return {}
        body = _json_or_none(response)
        if not isinstance(body, dict):
            # A 2xx we cannot read: for a POST, X may well have done the work.
            raise XError(
                ErrorKind.SERVER,
                status=response.status_code,
                title="Unreadable answer",
                detail=f"X answered {response.status_code} without JSON",
                outcome_unknown=method != "GET",
            )
        return body


def _fields_param(name: str, value: str | None) -> dict[str, str]:
    return {name: value} if value else {}


def _tweet_payload(text: str, media_ids: Sequence[str], reply_to: str | None) -> dict[str, Any]:
    # The spec: text is "Required unless media is provided. Defaulted to an empty string so it
    # is always sent" (xdk specs/openapi.json, TweetCreateRequest): a media-only post sends "".
    payload: dict[str, Any] = {"text": text or ""}
    if media_ids:
        payload["media"] = {"media_ids": [str(m) for m in media_ids]}
    if reply_to:
        payload["reply"] = {"in_reply_to_tweet_id": str(reply_to)}
    return payload


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _chunks(fileobj: IO[bytes], size: int) -> Iterator[bytes]:
    while chunk := fileobj.read(size):
        yield chunk


def _missing_data(body: dict, *, method: str) -> XError:
    """A 2xx without ``data``: X puts per-item problems in ``errors`` (e.g. a suspended user)."""
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    return XError(
        ErrorKind.BAD_REQUEST,
        title=str(first.get("title") or "No data"),
        detail=str(first.get("detail") or first.get("message") or "X's answer had no data"),
        type=str(first.get("type") or ""),
        outcome_unknown=method != "GET",
    )


def _processing_failed(info: dict) -> XError:
    error = info.get("error") if isinstance(info.get("error"), dict) else {}
    return XError(
        ErrorKind.MEDIA,
        title=str(error.get("name") or "Processing failed"),
        detail=str(error.get("message") or "X could not process the media"),
    )


# --- OAuth 2.0 tokens ----------------------------------------------------------------


def refresh_oauth2_token(
    *,
    refresh_token: str,
    client_id: str,
    client_secret: str | None,
    token_url: str,
    timeout: Timeout = (5, 20),
) -> TokenSet:
    """Exchange a refresh token for a new token pair.

    Raises XError: kind "refresh_invalid" (permanent) when X rejects the refresh token
    (invalid_request / invalid_grant); retryable kinds for 5xx, 429 and network failures.
    With ``outcome_unknown`` X may have spent the refresh token already, so a retry
    with it can come back "refresh_invalid": re-read the stored token before giving up.
    """
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    body = _token_endpoint(
        token_url, data, client_id=client_id, client_secret=client_secret, timeout=timeout, refreshing=True
    )
    try:
        access_token, expires_in = str(body["access_token"]), int(body.get("expires_in") or 7200)
    except (KeyError, TypeError, ValueError):
        raise XError(
            ErrorKind.SERVER,
            title="Unreadable answer",
            detail="X's token answer had no access_token",
            outcome_unknown=True,  # X may have rotated the refresh token all the same
        ) from None
    return TokenSet(
        access_token=access_token,
        refresh_token=body.get("refresh_token"),
        expires_at=datetime.now(timezone.utc) + timedelta(seconds=expires_in),
        scope=str(body.get("scope") or ""),
    )


def revoke_oauth2_token(
    *,
    token: str,
    client_id: str,
    client_secret: str | None,
    revoke_url: str,
    token_type_hint: str = "access_token",
    timeout: Timeout = (5, 20),
) -> None:
    """Revoke an access or refresh token at X. Raises XError."""
    data = {"token": token, "token_type_hint": token_type_hint}
    _token_endpoint(
        revoke_url, data, client_id=client_id, client_secret=client_secret, timeout=timeout, refreshing=False
    )


def _token_endpoint(
    url: str,
    data: dict[str, str],
    *,
    client_id: str,
    client_secret: str | None,
    timeout: Timeout,
    refreshing: bool,
) -> dict:
    """POST a form to an OAuth 2.0 endpoint with client authentication. Raises XError."""
    auth = None
    if client_secret:  # confidential client: HTTP Basic, as X documents
        auth = requests.auth.HTTPBasicAuth(client_id, client_secret)
    else:  # public client: identifies itself in the body
        data = {**data, "client_id": client_id}
    with _new_session() as session:
        response = _send(
            session,
            "POST",
            url,
            path=_path_of(url),
            timeout=timeout,
            proxies=_environ_proxies(url),
            data=data,
            auth=auth,
            headers={"Accept": "application/json"},
        )
    if not response.ok:
        raise _token_error(response, refreshing=refreshing)
    body = _json_or_none(response)
    return body if isinstance(body, dict) else {}


def _token_error(response: requests.Response, *, refreshing: bool) -> XError:
    problem = _problem(response)
    if refreshing and response.status_code == 400 and problem["title"] in ("invalid_request", "invalid_grant"):
        return XError(ErrorKind.REFRESH_INVALID, status=400, **problem)
    # A 401 here is our client id/secret, not the user's token: not "auth", so nobody
    # disconnects an account over a configuration mistake.
    kind = _classify(response.status_code, problem, media=False)
    if kind == ErrorKind.AUTH:
        return XError(
            ErrorKind.BAD_REQUEST,
            status=response.status_code,
            user_message="X rejected SocialHub's app credentials: contact support",
            **problem,
        )
    reset_at = _reset_at(response)[0] if kind == ErrorKind.RATE_LIMITED else None
    return XError(kind, status=response.status_code, reset_at=reset_at, **problem)


def _path_of(url: str) -> str:
    return requests.utils.urlparse(url).path or "/"
