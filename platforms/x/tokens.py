"""Tokens have one home, socials.Account; this module turns an X account into a working X client.

OAuth 2.0 access tokens live two hours and X's refresh tokens are single use, so refreshing is
serialised per account across every worker and machine: the account row is locked, the expiry is
checked again under the lock, and the new pair is committed before anything else happens.
"""

import datetime as dt
import logging
import re
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from costs import recorder as costs_recorder
from socials.account_state import lock_account, mark_reconnect_needed
from socials.error_kinds import ErrorKind
from socials.models import TOKEN_FIELDS, Account

from .client import (
    AppBearerCredentials,
    Credentials,
    OAuth1Credentials,
    OAuth2Credentials,
    XClient,
    XError,
    refresh_oauth2_token,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

# Refresh a little before expiry, so a token never dies in the middle of a publish.
REFRESH_MARGIN = dt.timedelta(minutes=5)
# A call answered 401 refreshes at most this many times before the account needs reconnecting.
REFRESHES_PER_CALL = 2
# X's tokens, secrets and client ids are printable ASCII without spaces; they go into HTTP headers
# (Basic auth, OAuth signatures) that cannot carry anything else.
TOKEN_TEXT = re.compile(r"[\x21-\x7e]{1,4096}")
DAMAGED = "Reconnect your X account: its saved credentials are not valid X tokens."


def is_token_text(value: str) -> bool:
    return bool(TOKEN_TEXT.fullmatch(value))


def damaged_fields(account: Account) -> list[str]:
    """The stored credentials that cannot be X's (saved before they were validated, or edited)."""
    return [name for name in TOKEN_FIELDS if (value := getattr(account, name)) and not is_token_text(value)]


class AccountUnusable(Exception):
    """The account has no credentials that can do this. `user_message` says what to do."""

    def __init__(self, user_message: str, *, kind: str = ErrorKind.AUTH):
        super().__init__(user_message)
        self.user_message = user_message
        self.kind = ErrorKind(kind)


def token_url() -> str:
    return f"{settings.X_API_URL}/2/oauth2/token"


def revoke_url() -> str:
    return f"{settings.X_API_URL}/2/oauth2/revoke"


def oauth2_app(account: Account) -> tuple[str, str]:
    """The OAuth 2.0 client id and secret: the account's own app, else the project's."""
    if account.oauth2_client_id:
        return account.oauth2_client_id, account.oauth2_client_secret
    return settings.TWITTER_CLIENT_ID, settings.TWITTER_CLIENT_SECRET


def credentials_for(account: Account) -> Credentials:
    """The credentials an account's calls are signed with. Raises AccountUnusable."""
    if account.token_type == Account.TokenType.OAUTH1:
        if not (account.oauth1_access_token and account.oauth1_access_token_secret):
            raise AccountUnusable("Reconnect your X account: its OAuth 1.0a token is missing.")
        return OAuth1Credentials(
            consumer_key=account.oauth1_consumer_key or settings.TWITTER_CONSUMER_KEY,
            consumer_secret=account.oauth1_consumer_secret or settings.TWITTER_CONSUMER_SECRET,
            token=account.oauth1_access_token,
            token_secret=account.oauth1_access_token_secret,
        )
    if account.token_type == Account.TokenType.OAUTH2_USER:
        if not account.oauth2_access_token:
            raise AccountUnusable("Reconnect your X account: its OAuth 2.0 token is missing.")
        return OAuth2Credentials(access_token=account.oauth2_access_token)
    bearer = account.access_token or settings.TWITTER_BEARER_TOKEN
    if not bearer:
        raise AccountUnusable("This account has no token to read X with.")
    return AppBearerCredentials(bearer_token=bearer)


def needs_refresh(account: Account, now: dt.datetime | None = None) -> bool:
    if account.token_type != Account.TokenType.OAUTH2_USER or not account.expires_at:
        return False
    return account.expires_at - REFRESH_MARGIN <= (now or timezone.now())


def refresh(account: Account, *, force: bool = False) -> Account:
    """Refresh the account's OAuth 2.0 token if it is (about to be) expired, once across workers.

    `force` refreshes even a token that looks valid (X answered 401), unless another worker has
    replaced it meanwhile. Returns the account as stored afterwards. Raises XError (retryable on
    network errors and 5xx, which never disconnect the account) or AccountUnusable (the refresh
    chain is broken: the account is marked "reconnect needed").
    """
    stale_access = account.oauth2_access_token
    with transaction.atomic():
        locked = lock_account(account.pk)
        replaced = locked.oauth2_access_token != stale_access
        if replaced or not (force or needs_refresh(locked)):
            return locked
        if not locked.oauth2_refresh_token:
            used_refresh = None
        else:
            used_refresh = locked.oauth2_refresh_token
            client_id, client_secret = oauth2_app(locked)
            try:
                tokens = refresh_oauth2_token(
                    refresh_token=used_refresh,
                    client_id=client_id,
                    client_secret=client_secret or None,
                    token_url=token_url(),
                )
            except XError as exc:
                if exc.kind != ErrorKind.REFRESH_INVALID:
                    log.warning("Refreshing X account %s failed, will retry: %s", locked.pk, exc.kind)
                    raise
            else:
                locked.oauth2_access_token = tokens.access_token
                # X sends a new refresh token each time; keep the old one only if it sent none.
                locked.oauth2_refresh_token = tokens.refresh_token or locked.oauth2_refresh_token
                locked.expires_at = tokens.expires_at
                locked.scope = tokens.scope or locked.scope
                locked.last_refreshed_at = timezone.now()
                if locked.state == Account.State.RECONNECT_NEEDED:
                    locked.state, locked.state_message = Account.State.CONNECTED, ""
                locked.save()
                log.info("Refreshed the OAuth 2.0 token of X account %s", locked.pk)
                return locked
    # The refresh token was refused. Another process (a reconnect, say) may have stored a new
    # pair meanwhile: only when the stored token is still the one X refused is the chain broken.
    current = Account.objects.get(pk=account.pk)
    if used_refresh is not None and current.oauth2_refresh_token != used_refresh:
        return current
    message = "Reconnect your X account: X no longer accepts its saved sign-in."
    mark_reconnect_needed(current, message)
    raise AccountUnusable(message)


def _client(account: Account, timeout: tuple[float, float] | None) -> XClient:
    client = XClient(credentials_for(account), api_url=settings.X_API_URL, timeout=tuple(timeout or settings.X_TIMEOUT))
    costs_recorder.watch(client, account)  # every call it makes goes into the ledger
    return client


def client_for(account: Account, *, timeout: tuple[float, float] | None = None) -> XClient:
    """A ready client for the account, its OAuth 2.0 token refreshed first when it is expiring.
    `timeout` (connect, read) overrides the client's default. Raises AccountUnusable."""
    if damaged_fields(account):
        mark_reconnect_needed(account, DAMAGED)
        raise AccountUnusable(DAMAGED)
    if needs_refresh(account):
        account = refresh(account)
    return _client(account, timeout)


def call_x(account: Account, call: Callable[[XClient], T], *, timeout: tuple[float, float] | None = None) -> T:
    """Run `call` with the account's client. On a 401 with OAuth 2.0, refresh and try again (at
    most REFRESHES_PER_CALL times: a fresh token can be refused too, when X revokes it or clocks
    drift); a 401 that survives that (or any 401 without a refresh token) marks the account
    "reconnect needed". A refused refresh decides that at once (refresh()).

    Raises XError or AccountUnusable. Safe for POSTs: X answers 401 before doing anything.
    """
    for refreshes in range(REFRESHES_PER_CALL + 1):
        if refreshes:
            account = refresh(account, force=True)
        with _client(account, timeout) if refreshes else client_for(account, timeout=timeout) as client:
            try:
                return call(client)
            except XError as exc:
                if exc.kind != ErrorKind.AUTH:
                    raise
                refreshable = account.token_type == Account.TokenType.OAUTH2_USER and account.oauth2_refresh_token
                if not refreshable or refreshes == REFRESHES_PER_CALL:
                    mark_reconnect_needed(account, exc.user_message)
                    raise
    raise AssertionError("unreachable")
