"""Bluesky through the `atproto` library: OAuth sessions (oauth.py, with DPoP-bound tokens sent
through dpop.DPoPRequest) or app-password sessions, kept and refreshed (never a sign-in per post:
createSession is limited to 30 per 5 minutes and 300 a day), and one error mapping. Facts:
bluesky-social/atproto lexicons (com.atproto.server.createSession, refreshSession,
repo.createRecord/getRecord/uploadBlob) and atproto.com/specs (handle, tid, oauth)."""

from __future__ import annotations

import datetime as dt
import logging

import httpx
from atproto import Client
from atproto_client.client.session import Session
from atproto_client.exceptions import (
    AtProtocolError,
    BadRequestError,
    InvokeTimeoutError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.request import Request
from atproto_server.auth.jwt import get_jwt_payload
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from socials.publishers import PublishError

from .. import common
from . import dpop, oauth
from .identity import Identity

log = logging.getLogger(__name__)

# What a call can raise: atproto's errors, and httpx's own for what atproto does not translate
# (a connection closed without an answer is httpx.RemoteProtocolError).
FAILURES = (AtProtocolError, httpx.HTTPError)

# Refresh a session's access token this long before it expires (atproto's client uses 15 minutes).
REFRESH_MARGIN = dt.timedelta(minutes=15)


class _Client(Client):
    """atproto's client without its own session refresh: it would spend the refresh token outside
    the account's row lock and keep the new pair only in memory (Bluesky rotates refresh tokens, so
    the stored one would be dead). `refresh` below does it once, under the lock, and stores it."""

    def _should_refresh_session(self) -> bool:
        return False


def _client(base_url: str, timeout: float | None = None) -> Client:
    return _Client(base_url=base_url, request=Request(timeout=timeout or settings.BLUESKY_TIMEOUT))


def sign_in(who: Identity, app_password: str) -> dict:
    """Sign in with an app password at the account's own PDS (com.atproto.server.createSession;
    `who` from identity.resolve). Returns did, handle, the PDS to write to, the session's tokens and
    the display name. Raises PublishError."""
    client = _client(who.pds)
    try:
        client.login(who.did, app_password.strip(), fetch_bsky_profile=False)
    except UnauthorizedError as exc:
        raise common.permanent("auth", "Bluesky did not accept that handle and app password.") from exc
    except FAILURES as exc:
        raise error(exc, doing="signing in") from exc
    session = client._session  # set by login; atproto keeps it there
    if session.did != who.did:
        raise common.permanent("auth", "Bluesky signed in another account than the one typed in.")
    pds = (session.pds_endpoint or who.pds).removesuffix("/xrpc").rstrip("/")
    return {"did": session.did, "handle": session.handle, "pds": pds, "access_jwt": session.access_jwt,
            "refresh_jwt": session.refresh_jwt, "name": display_name(client, session.did)}


def display_name(api: Client, did: str) -> str:
    try:
        return api.app.bsky.actor.get_profile({"actor": did}).display_name or ""
    except FAILURES:
        return ""  # a name is nice to have; the connection works without it


def oauth_client(session: dict, timeout: float | None = None) -> Client:
    """A client on the PDS sending the OAuth session's DPoP-bound token (session: pds, dpop_key,
    access_token)."""
    request = dpop.DPoPRequest(dpop.load_key(session["dpop_key"]), session["access_token"],
                               timeout=timeout or settings.BLUESKY_TIMEOUT)
    return _Client(base_url=session["pds"], request=request)


def expires_at(jwt: str) -> dt.datetime | None:
    try:
        exp = get_jwt_payload(jwt).exp
    except Exception:  # not a JWT we can read: treat it as expiring now
        return None
    return dt.datetime.fromtimestamp(exp, tz=dt.UTC) if exp else None


def is_oauth(account) -> bool:
    return account.token_type == account.TokenType.OAUTH2_USER


def account_client(account, *, timeout: float | None = None) -> Client:
    """A client on the account's PDS with its session, refreshed first when it is about to
    expire (under the account's row lock, so two workers never spend the same refresh token:
    Bluesky rotates it on every refresh). Raises PublishError."""
    if not account.oauth2_refresh_token:
        raise common.reconnect(account, "This Bluesky account has no session: connect it again")
    if is_oauth(account):
        expiry, margin = account.expires_at, oauth.REFRESH_MARGIN
    else:
        expiry, margin = expires_at(account.oauth2_access_token), REFRESH_MARGIN
    if expiry is None or expiry <= timezone.now() + margin:
        refresh(account)
    if is_oauth(account):
        return oauth_client({"pds": account.server_url, "dpop_key": account.oauth2_client_secret,
                             "access_token": account.oauth2_access_token}, timeout)
    client = _client(account.server_url, timeout)
    client.login(session_string=_session(account).encode(), fetch_bsky_profile=False)
    return client


def _session(account) -> Session:
    return Session(handle=account.username, did=account.provider_account_id,
                   access_jwt=account.oauth2_access_token, refresh_jwt=account.oauth2_refresh_token,
                   pds_endpoint=account.server_url)


def refresh(account) -> None:
    """Renew the session once across workers (OAuth's refresh_token grant, or
    com.atproto.server.refreshSession); the new pair is stored at once. Raises PublishError
    (reconnect needed when Bluesky refuses the refresh token)."""
    from socials.account_state import lock_account

    refused = False
    with transaction.atomic():
        locked = lock_account(account.pk)
        if locked.oauth2_refresh_token == account.oauth2_refresh_token:  # else another worker did it
            try:
                access, refresh_token, expiry = _renew(locked)
            # App passwords: ExpiredToken / InvalidToken come back as 400; OAuth: invalid_grant.
            except (UnauthorizedError, BadRequestError, oauth.Refused):
                refused = True
            except FAILURES as exc:
                raise error(exc, doing="renewing the session") from exc
            else:
                locked.oauth2_access_token, locked.oauth2_refresh_token = access, refresh_token
                locked.expires_at = expiry
                locked.last_refreshed_at = timezone.now()
                locked.save(update_fields=["oauth2_access_token", "oauth2_refresh_token", "expires_at",
                                           "last_refreshed_at", "updated_at"])
    if refused:  # outside the transaction, so the state change is kept
        raise common.reconnect(account, "Bluesky ended SocialHub's session: connect the account again")
    account.oauth2_access_token, account.oauth2_refresh_token = locked.oauth2_access_token, locked.oauth2_refresh_token
    account.expires_at = locked.expires_at


def _renew(account) -> tuple[str, str, dt.datetime | None]:
    if is_oauth(account):
        session = oauth.refresh(account)
        return session["access_token"], session["refresh_token"], session["expires_at"]
    answer = _client(account.server_url).com.atproto.server.refresh_session(
        headers={"Authorization": f"Bearer {account.oauth2_refresh_token}"}, ignore_session_check=True,
    )
    return answer.access_jwt, answer.refresh_jwt, expires_at(answer.access_jwt)


def revoke(account) -> bool:
    """Revoke the OAuth session, or com.atproto.server.deleteSession with the refresh token.
    False when that failed."""
    if not account.oauth2_refresh_token or not account.server_url:
        return False
    if is_oauth(account):
        return oauth.revoke(account)
    try:
        _client(account.server_url).com.atproto.server.delete_session(
            headers={"Authorization": f"Bearer {account.oauth2_refresh_token}"}, ignore_session_check=True,
        )
    except FAILURES as exc:
        log.warning("Ending a Bluesky session failed (%s)", type(exc).__name__)
        return False
    return True


def error(exc: Exception, *, doing: str, sent: bool = False, account=None) -> PublishError:
    """One atproto failure as the engine's kinds. `sent`: the request may have reached Bluesky."""
    response = exc.response if isinstance(exc, RequestErrorBase) else None
    status = response.status_code if response is not None else None
    name, message = _xrpc_error(response)
    if isinstance(exc, RateLimitExceededError):
        reset = common.reset_time((response.headers or {}).get("ratelimit-reset")) if response else None
        when = common.not_before(reset)
        return common.wait_until(f"Bluesky's rate limit: waiting until {when:%H:%M} UTC", when)
    if isinstance(exc, (InvokeTimeoutError, httpx.TimeoutException)):
        return common.retry("timeout", f"Bluesky did not answer while {doing}", outcome_unknown=sent)
    if isinstance(exc, UnauthorizedError):
        return common.reconnect(account, f"Bluesky refused SocialHub's session ({name or status}): connect the account again")
    if status == 413:
        return common.permanent("media", "Bluesky refused the file as too large")
    if isinstance(exc, (NetworkError, httpx.HTTPError)) and status is None:
        return common.retry("connection", f"Bluesky could not be reached while {doing}", outcome_unknown=sent)
    if status is not None and status >= 500 or status in (409, 502):
        return common.retry("server", f"Bluesky failed ({status}) while {doing}", outcome_unknown=sent)
    if isinstance(exc, BadRequestError) or status == 400:
        return common.permanent("bad_request", f"Bluesky refused it: {message or name or 'bad request'}")
    return common.permanent("bad_request", f"Bluesky answered {status or 'an error'} while {doing}: {message or exc}")


def _xrpc_error(response) -> tuple[str, str]:
    content = getattr(response, "content", None)
    if content is None:
        return "", ""
    if isinstance(content, dict):
        return str(content.get("error") or ""), str(content.get("message") or "")
    return str(getattr(content, "error", "") or ""), str(getattr(content, "message", "") or "")
