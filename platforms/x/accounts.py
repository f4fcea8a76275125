"""X's side of an account: which tokens X can take, who tokens belong to (/2/users/me), test
connection, revoking OAuth 2.0 tokens on disconnect, and the reads the account page shows (profile,
recent posts). socials.services reaches the first four through XConnection (socials.connections).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from costs import recorder as costs_recorder
from socials.connections import ConnectionReport
from socials.error_kinds import ErrorKind, RateLimit
from socials.models import TOKEN_FIELDS, Account

from . import tokens
from .client import AppBearerCredentials, Credentials, XClient, XError, revoke_oauth2_token
from .tokens import AccountUnusable, call_x

log = logging.getLogger(__name__)

PROVIDER = "twitter"
# The seed's names for the kinds of authentication.
AUTHENTICATION = {
    Account.TokenType.BEARER: "Bearer Token (Application-Only)",
    Account.TokenType.OAUTH1: "OAuth 1.0a User Context",
    Account.TokenType.OAUTH2_USER: "OAuth 2.0 User Context",
}
USER_FIELDS = "name,username,description,profile_image_url,public_metrics,verified,created_at"
# Who the token belongs to, and whether it is a Premium account (long posts).
ME_FIELDS = "name,username,verified_type,subscription_type"


class XConnection:
    def check_tokens(self, token_type: str, values: dict) -> None:
        """A bearer token needs SocialHub's own when none is given; everything must be printable ASCII."""
        if token_type == Account.TokenType.BEARER and not (values.get("access_token") or settings.TWITTER_BEARER_TOKEN):
            raise ValidationError({"access_token": ["Give a bearer token: SocialHub has no app bearer token set."]})
        malformed = [name for name in TOKEN_FIELDS if values.get(name) and not tokens.is_token_text(values[name])]
        if malformed:
            raise ValidationError({
                name: ["X tokens and secrets are printable ASCII without spaces: paste the value exactly as X shows it."]
                for name in malformed
            })

    def identify(self, token_type: str, values: dict) -> dict:
        """The X user ({id, username, name, verified_type, subscription_type}) the user tokens belong to."""
        if token_type == Account.TokenType.BEARER:
            raise ValidationError({"provider_account_id": ["Give the X account id: a bearer token has no user."]})
        probe = Account(token_type=token_type, **{k: v for k, v in values.items() if k in TOKEN_FIELDS})
        try:
            with XClient(tokens.credentials_for(probe), api_url=settings.X_API_URL) as client:
                me = client.get_me(user_fields=ME_FIELDS)
        except (XError, AccountUnusable) as exc:
            raise ValidationError(
                {"non_field_errors": [f"X did not accept these tokens ({exc.user_message}). "
                                      "Check them, or give the X account id and username."]}
            ) from exc
        return {**me, "verified_type": str(me.get("verified_type") or ""),
                "subscription_type": str(me.get("subscription_type") or "")}

    def test(self, account: Account) -> ConnectionReport:
        """/2/users/me (a bearer token reads /2/users/:id): whether it works, how it is
        authenticated, the token's expiry, the rate-limit budget and whether it may post long."""
        bearer = account.token_type == Account.TokenType.BEARER
        report = dict(
            account_id=account.pk,
            auth_type=account.token_type,
            authentication=AUTHENTICATION.get(account.token_type, account.get_token_type_display()),
            username=account.username,
            expires_at=account.expires_at,
        )
        if account.state == Account.State.DISCONNECTED:
            return ConnectionReport(works=False, can_post=False, error_kind=ErrorKind.DISCONNECTED,
                                    message="This X account is disconnected: connect it again.", **report)
        if bearer and not account.provider_account_id:
            return ConnectionReport(works=False, can_post=False, error_kind=ErrorKind.AUTH,
                                    message="A bearer token needs the X account id to read it.", **report)

        def ask(client: XClient) -> tuple[dict, RateLimit | None]:
            if bearer:
                return client.get_user(account.provider_account_id, user_fields=ME_FIELDS), client.last_rate_limit
            return client.get_me(user_fields=ME_FIELDS), client.last_rate_limit

        try:
            me, rate_limit = call_x(account, ask)
        except AccountUnusable as exc:
            return _failed(account, report, exc.user_message, exc.kind)
        except XError as exc:
            return _failed(account, report, exc.user_message, exc.kind, exc.reset_at)
        account.refresh_from_db()
        changes = {"last_checked_at": timezone.now(), "username": me.get("username") or account.username,
                   "name": me.get("name") or account.name}
        for tier in ("verified_type", "subscription_type"):  # X answers subscription_type for the user itself only
            if me.get(tier):
                changes[tier] = str(me[tier])
        if not bearer and account.state == Account.State.RECONNECT_NEEDED:
            changes.update(state=Account.State.CONNECTED, state_message="")
        Account.objects.filter(pk=account.pk).update(**changes)
        report.update(username=changes["username"], expires_at=account.expires_at)
        if bearer:
            return ConnectionReport(
                works=True, can_post=False, rate_limit=rate_limit,
                message="Connected with a Bearer Token (Application-Only): it can read but not post.",
                details={"required_authentication": "OAuth 1.0a or OAuth 2.0 User Context"},
                **report,
            )
        account.verified_type = changes.get("verified_type", account.verified_type)
        account.subscription_type = changes.get("subscription_type", account.subscription_type)
        limit = account.max_weighted_length
        long_posts = f" Posts may be up to {limit:,} characters (Premium)." if account.may_post_long else ""
        return ConnectionReport(works=True, can_post=True, rate_limit=rate_limit,
                                message=f"The X connection of @{changes['username']} works.{long_posts}",
                                details={"verified_type": account.verified_type or None,
                                         "subscription_type": account.subscription_type or None,
                                         "max_weighted_length": limit},
                                **report)

    def revoke(self, account: Account) -> bool | None:
        """Revoke OAuth 2.0 tokens at X (the refresh token first). None for OAuth 1.0a and bearer
        tokens, which X cannot revoke for us, and for damaged ones, which cannot be sent to X."""
        if account.token_type != Account.TokenType.OAUTH2_USER or tokens.damaged_fields(account):
            return None
        revocable = [(token, hint) for token, hint in ((account.oauth2_refresh_token, "refresh_token"),
                                                       (account.oauth2_access_token, "access_token")) if token]
        if not revocable:
            return None
        client_id, client_secret = tokens.oauth2_app(account)
        ok = True
        for token, hint in revocable:
            try:
                revoke_oauth2_token(token=token, client_id=client_id, client_secret=client_secret or None,
                                    revoke_url=tokens.revoke_url(), token_type_hint=hint)
            except XError as exc:
                ok = False
                log.warning("Revoking an X %s failed (%s); the account is disconnected anyway", hint, exc.kind)
        return ok


def _failed(account, report, message, kind, reset_at=None) -> ConnectionReport:
    Account.objects.filter(pk=account.pk).update(last_checked_at=timezone.now())
    limit = RateLimit(limit=None, remaining=0, reset_at=reset_at) if kind == ErrorKind.RATE_LIMITED else None
    return ConnectionReport(works=False, can_post=False, message=message, error_kind=kind, rate_limit=limit,
                            **report)


# --- Reading, for the account page.


def _read(account: Account, call: Callable[[XClient], object], *, with_app: bool | None):
    """Run a read with the account's own token, or with the app bearer token (`with_app`; by
    default only for an account whose own token does not work now). Raises XError or AccountUnusable."""
    if with_app is None:
        with_app = account.state != Account.State.CONNECTED and bool(settings.TWITTER_BEARER_TOKEN)
    if with_app:
        if not settings.TWITTER_BEARER_TOKEN:
            raise AccountUnusable("SocialHub has no app bearer token (TWITTER_BEARER_TOKEN).")
        credentials: Credentials = AppBearerCredentials(bearer_token=settings.TWITTER_BEARER_TOKEN)
        with XClient(credentials, api_url=settings.X_API_URL) as client:
            costs_recorder.watch(client, account, x_app=costs_recorder.PLATFORM)  # the app's bearer token reads
            return call(client)
    if account.state == Account.State.DISCONNECTED:
        raise AccountUnusable("This X account is disconnected: connect it again.")
    return call_x(account, call)


def profile(account: Account, *, with_app: bool | None = None) -> dict:
    """The account's X profile (name, username, description, image, public_metrics).
    Raises XError or AccountUnusable."""
    if not account.provider_account_id:
        raise AccountUnusable("The X account id is missing.")
    return _read(account, lambda c: c.get_user(account.provider_account_id, user_fields=USER_FIELDS),
                 with_app=with_app)


def recent_tweets(account: Account, *, limit: int = 10, with_app: bool | None = None) -> list[dict]:
    """The account's most recent tweets, newest first, with their public_metrics.
    Raises XError or AccountUnusable."""
    if not account.provider_account_id:
        raise AccountUnusable("The X account id is missing.")
    tweets = _read(account, lambda c: c.user_tweets(account.provider_account_id, max_results=limit),
                   with_app=with_app)
    return list(tweets)[:limit]
