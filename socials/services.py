"""Actions on connected X accounts: one place each. The pages, the REST API, the admin and the allauth
adapter all call these.

Tokens have one home, socials.Account (encrypted at rest). allauth's SocialAccount/SocialToken are
not used: the connect flow hands its tokens to `connect_account` and stops there (see adapters.py).
Services take keyword-only arguments and raise domain errors (ValidationError, NotAllowed).
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from costs import recorder as costs_recorder
from socialhub.errors import NotAllowed

from platforms.x import tokens
from platforms.x.client import AppBearerCredentials, Credentials, XClient, XError, revoke_oauth2_token
from platforms.x.tokens import AccountUnusable, call_x

from .account_state import lock_account
from .error_kinds import ErrorKind, RateLimit
from .models import Account
from .signals import account_connected, account_disconnected

log = logging.getLogger(__name__)

PROVIDER = "twitter"
SECRET_FIELDS = tokens.SECRET_FIELDS
TOKEN_FIELDS = tokens.TOKEN_FIELDS
# What each kind of connection cannot do without.
REQUIRED_TOKENS = {
    Account.TokenType.BEARER: (),  # falls back to settings.TWITTER_BEARER_TOKEN
    Account.TokenType.OAUTH1: ("oauth1_access_token", "oauth1_access_token_secret"),
    Account.TokenType.OAUTH2_USER: ("oauth2_access_token",),
    Account.TokenType.APP_PASSWORD: ("oauth2_access_token", "oauth2_refresh_token"),  # a Bluesky session
}
# The seed's names for the kinds of authentication.
AUTHENTICATION = {
    Account.TokenType.BEARER: "Bearer Token (Application-Only)",
    Account.TokenType.OAUTH1: "OAuth 1.0a User Context",
    Account.TokenType.OAUTH2_USER: "OAuth 2.0 User Context",
    Account.TokenType.APP_PASSWORD: "App password session",
}
USER_FIELDS = "name,username,description,profile_image_url,public_metrics,verified,created_at"
# Who the token belongs to, and whether it is a Premium account (long posts).
ME_FIELDS = "name,username,verified_type,subscription_type"


# --- Who may do what.


def can_manage(user: User, account: Account) -> bool:
    """Change tokens, disconnect: the client who owns the account, or staff. Resellers only look."""
    if not user.is_authenticated:
        return False
    return user.is_platform_staff or (user.is_client and account.user_id == user.pk)


def can_register_for(actor: User, user: User) -> bool:
    return actor.is_authenticated and (actor.is_platform_staff or (actor.is_client and actor.pk == user.pk))


# --- Connecting.


@dataclass(frozen=True)
class Connected:
    account: Account
    created: bool  # False: an existing account was reconnected, its new tokens replacing the old


def _clean_token_type(token_type: str) -> str:
    if token_type not in Account.TokenType.values:
        choices = ", ".join(Account.TokenType.values)
        raise ValidationError({"token_type": [f"Choose one of: {choices}."]})
    return token_type


def check_tokens(token_type: str, values: dict) -> None:
    """Raise ValidationError unless `values` hold what this kind of connection needs."""
    missing = [name for name in REQUIRED_TOKENS[token_type] if not values.get(name)]
    if missing:
        raise ValidationError({name: ["This token is required for this kind of connection."] for name in missing})
    if token_type == Account.TokenType.BEARER and not (values.get("access_token") or settings.TWITTER_BEARER_TOKEN):
        raise ValidationError({"access_token": ["Give a bearer token: SocialHub has no app bearer token set."]})
    malformed = [name for name in TOKEN_FIELDS if values.get(name) and not tokens.is_token_text(values[name])]
    if malformed:
        raise ValidationError({
            name: ["X tokens and secrets are printable ASCII without spaces: paste the value exactly as X shows it."]
            for name in malformed
        })


@transaction.atomic
def connect_account(
    *,
    user: User,
    provider_account_id: str,
    username: str,
    token_type: str,
    name: str = "",
    expires_at: dt.datetime | None = None,
    scope: str = "",
    provider: str = PROVIDER,
    server_url: str = "",
    verified_type: str = "",
    subscription_type: str = "",
    **token_values: str,
) -> Connected:
    """Save an account's new tokens: create it, or reconnect it (the new tokens replace every old
    one, the state becomes "connected" and the posts held for it are queued again).
    `verified_type`/`subscription_type`: what X's /2/users/me said (Premium accounts post long).

    `token_values` are Account token fields (TOKEN_FIELDS). `provider` and `server_url`: another
    platform's account (platforms/), its Mastodon instance or Bluesky PDS. Raises ValidationError.
    """
    unknown = set(token_values) - set(TOKEN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown token fields: {sorted(unknown)}")
    if not user.is_client:
        raise ValidationError({"user": ["X accounts belong to clients."]})
    token_type = _clean_token_type(token_type)
    check_tokens(token_type, token_values)
    provider_account_id = str(provider_account_id or "").strip()
    if not provider_account_id:
        raise ValidationError({"provider_account_id": ["The X account id is required."]})

    existing = Account.objects.filter(
        user=user, provider=provider, provider_account_id=provider_account_id
    ).values_list("pk", flat=True).first()
    # Locked, so a worker refreshing the old OAuth 2.0 pair cannot write it back over the new one.
    account = lock_account(existing) if existing else Account(
        user=user, provider=provider, provider_account_id=provider_account_id
    )
    account.server_url = server_url or account.server_url
    account.username = username or account.username
    account.name = name or account.name
    account.token_type = token_type
    for name_ in TOKEN_FIELDS:
        setattr(account, name_, token_values.get(name_, "") or "")
    account.expires_at = expires_at
    account.scope = scope
    account.verified_type = verified_type or account.verified_type
    account.subscription_type = subscription_type or account.subscription_type
    account.state, account.state_message = Account.State.CONNECTED, ""
    account.last_refreshed_at = None
    account.save()
    if existing:
        _connected(account)
    log.info("%s account %s %s for user %s (%s)", provider, account.pk,
             "reconnected" if existing else "connected", user.pk, token_type)
    return Connected(account=account, created=not existing)


def register_account(
    *,
    actor: User,
    user: User,
    token_type: str,
    provider_account_id: str = "",
    username: str = "",
    name: str = "",
    expires_at: dt.datetime | None = None,
    scope: str = "",
    **token_values: str,
) -> Connected:
    """Register an X account with tokens the client already has (staff in the admin, the REST API).

    With user tokens and no X id, the id and username are read from X's /2/users/me. A bearer token
    reads only, and needs the X id. Raises NotAllowed or ValidationError.
    """
    if not can_register_for(actor, user):
        raise NotAllowed("Only staff or the client themselves can add an X account.")
    token_type = _clean_token_type(token_type)
    token_values = {k: v for k, v in token_values.items() if v}
    check_tokens(token_type, token_values)
    if not provider_account_id:
        if token_type == Account.TokenType.BEARER:
            raise ValidationError({"provider_account_id": ["Give the X account id: a bearer token has no user."]})
        me = identify(token_type, token_values)
        provider_account_id, username, name = me["id"], username or me.get("username", ""), name or me.get("name", "")
        tier = {"verified_type": me.get("verified_type") or "", "subscription_type": me.get("subscription_type") or ""}
    else:
        tier = {}
    return connect_account(**tier,
        user=user,
        provider_account_id=provider_account_id,
        username=username,
        name=name,
        token_type=token_type,
        expires_at=expires_at,
        scope=scope,
        **token_values,
    )


def identify(token_type: str, values: dict) -> dict:
    """The X user ({id, username, name}) that the given user tokens belong to. Raises ValidationError."""
    probe = Account(token_type=token_type, **{k: v for k, v in values.items() if k in TOKEN_FIELDS})
    try:
        with XClient(tokens.credentials_for(probe), api_url=settings.X_API_URL) as client:
            return client.get_me(user_fields=ME_FIELDS)
    except XError as exc:
        raise ValidationError(
            {"non_field_errors": [f"X did not accept these tokens ({exc.user_message}). "
                                  "Check them, or give the X account id and username."]}
        ) from exc


@transaction.atomic
def update_account(*, actor: User, account: Account, **changes) -> Account:
    """Change an account's names or tokens (staff, or the owning client). Token fields that are not
    given keep their stored value; new tokens make the account "connected" again and release its
    held posts. `long_posts_by_hand` (staff only): whether the account may post long (Premium)
    posts whatever X says; None follows X again. Raises NotAllowed or ValidationError."""
    if not can_manage(actor, account):
        raise NotAllowed("You cannot change this X account.")
    if "long_posts_by_hand" in changes and not actor.is_platform_staff:
        raise NotAllowed("Only staff decide by hand whether an account may post long posts.")
    allowed = {"username", "name", "token_type", "expires_at", "scope", "long_posts_by_hand", *TOKEN_FIELDS}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"Cannot change: {sorted(unknown)}")
    locked = lock_account(account.pk)
    new_tokens = {k: v for k, v in changes.items() if k in TOKEN_FIELDS and v}
    token_type = _clean_token_type(changes.get("token_type") or locked.token_type)
    if token_type != locked.token_type and not new_tokens:
        raise ValidationError({"token_type": ["Give the new kind of connection's tokens too."]})
    for name in ("username", "name", "scope"):
        if name in changes:
            setattr(locked, name, changes[name] or "")
    if "expires_at" in changes:
        locked.expires_at = changes["expires_at"]
    if "long_posts_by_hand" in changes:
        locked.long_posts_by_hand = changes["long_posts_by_hand"]
    if new_tokens:
        if token_type != locked.token_type:
            for name in TOKEN_FIELDS:  # one set of live tokens
                setattr(locked, name, "")
        locked.token_type = token_type
        for name, value in new_tokens.items():
            setattr(locked, name, value)
        check_tokens(token_type, {name: getattr(locked, name) for name in TOKEN_FIELDS})
        locked.state, locked.state_message = Account.State.CONNECTED, ""
    locked.save()
    if new_tokens:
        _connected(locked)
    return locked


# --- Disconnecting.


@dataclass(frozen=True)
class Disconnected:
    account: Account
    revoked: bool | None  # None: nothing to revoke (OAuth 1.0a, bearer); False: X's revoke failed
    held: int  # posts waiting for this account, now held


def disconnect_account(*, actor: User, account: Account) -> Disconnected:
    """Forget the account's tokens, revoke OAuth 2.0 tokens at X, and hold the posts waiting for it.

    The account row stays (its posts' history points at it), "disconnected" and without tokens. A
    failed revoke does not stop the disconnect: the tokens are gone from SocialHub either way.
    Raises NotAllowed.
    """
    if not can_manage(actor, account):
        raise NotAllowed("You cannot disconnect this X account.")
    with transaction.atomic():
        locked = lock_account(account.pk)
        revocable = [
            (token, hint)
            for token, hint in ((locked.oauth2_refresh_token, "refresh_token"),
                                (locked.oauth2_access_token, "access_token"))
            if token and locked.token_type == Account.TokenType.OAUTH2_USER and locked.provider == PROVIDER
        ]
        # Another platform's tokens, to revoke there once the transaction is over.
        elsewhere = Account(pk=locked.pk, provider=locked.provider, server_url=locked.server_url,
                            token_type=locked.token_type, oauth2_access_token=locked.oauth2_access_token,
                            oauth2_refresh_token=locked.oauth2_refresh_token,
                            oauth2_client_secret=locked.oauth2_client_secret)
        # Damaged stored credentials cannot be sent to X: forget them without revoking.
        client_id, client_secret = tokens.oauth2_app(locked)
        if tokens.damaged_fields(locked):
            revocable = []
        for name in TOKEN_FIELDS:
            setattr(locked, name, "")
        locked.expires_at = None
        locked.state = Account.State.DISCONNECTED
        locked.state_message = f"Disconnected by {actor.username} on {timezone.now():%Y-%m-%d %H:%M} UTC."
        locked.save()
        held = sum(count for _, count in account_disconnected.send(sender=Account, account=locked))
    # Outside the transaction: no row lock held during a network call.
    if locked.provider != PROVIDER:
        from platforms.registry import revoke as revoke_elsewhere

        revoked = revoke_elsewhere(elsewhere)
    else:
        revoked = _revoke(revocable, client_id, client_secret) if revocable else None
    log.info("X account %s disconnected by %s; revoked=%s; %d channel(s) held", locked.pk, actor.pk, revoked, held)
    return Disconnected(account=locked, revoked=revoked, held=held)


def _revoke(revocable: list[tuple[str, str]], client_id: str, client_secret: str) -> bool:
    ok = True
    for token, hint in revocable:
        try:
            revoke_oauth2_token(
                token=token,
                client_id=client_id,
                client_secret=client_secret or None,
                revoke_url=tokens.revoke_url(),
                token_type_hint=hint,
            )
        except XError as exc:
            ok = False
            log.warning("Revoking an X %s failed (%s); the account is disconnected anyway", hint, exc.kind)
    return ok


def _connected(account: Account) -> int:
    """Tell publishing the account works again (it releases the posts held for it)."""
    return sum(count for _, count in account_connected.send(sender=Account, account=account))


# --- Testing the connection.


@dataclass(frozen=True)
class ConnectionReport:
    works: bool
    message: str
    account_id: int
    auth_type: str  # Account.TokenType value
    authentication: str  # the seed's name for it
    username: str
    expires_at: dt.datetime | None
    can_post: bool
    rate_limit: RateLimit | None = None
    error_kind: str = ""
    details: dict = field(default_factory=dict)

    def summary(self) -> str:
        """One sentence for a person: what works, how, until when, and how much budget is left."""
        parts = [self.message, f"Authentication: {self.authentication}."]
        if self.works and self.expires_at:
            parts.append(f"Token expires {self.expires_at:%Y-%m-%d %H:%M} UTC (renewed automatically).")
        limit = self.rate_limit
        if limit and limit.remaining is not None and limit.limit is not None:
            reset = f" until {limit.reset_at:%H:%M} UTC" if limit.reset_at else ""
            parts.append(f"Rate limit: {limit.remaining} of {limit.limit} requests left{reset}.")
        return " ".join(parts)

    def as_dict(self) -> dict:
        limit = self.rate_limit
        return {
            "works": self.works,
            "account_id": self.account_id,
            "auth_type": self.auth_type,
            "current_authentication": self.authentication,
            "username": self.username,
            "can_read": self.works,
            "can_post": self.can_post,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "rate_limit": {
                "limit": limit.limit if limit else None,
                "remaining": limit.remaining if limit else None,
                "reset_at": limit.reset_at.isoformat() if limit and limit.reset_at else None,
            },
            "error_kind": self.error_kind,
            **self.details,
        }


def test_connection(*, actor: User, account: Account) -> ConnectionReport:
    """Ask X who the account's token belongs to (/2/users/me; a bearer token reads /2/users/:id) and
    report whether it works, how it is authenticated, the token expiry and the rate-limit budget.
    Another network's account (platforms/) is asked by its own client.

    Only those who manage the account (its client, staff) spend its token on this: raises NotAllowed."""
    if not can_manage(actor, account):
        raise NotAllowed("Only the account's client or staff can test its connection.")
    if account.provider != PROVIDER:
        from platforms.registry import test_connection as test_elsewhere

        return test_elsewhere(account)
    bearer = account.token_type == Account.TokenType.BEARER
    report = dict(
        account_id=account.pk,
        auth_type=account.token_type,
        authentication=AUTHENTICATION.get(account.token_type, account.token_type),
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
        me = client.get_me(user_fields=ME_FIELDS)
        return me, client.last_rate_limit

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


test_connection.__test__ = False  # not a pytest test, whatever its name


def _failed(account, report, message, kind, reset_at=None) -> ConnectionReport:
    Account.objects.filter(pk=account.pk).update(last_checked_at=timezone.now())
    limit = RateLimit(limit=None, remaining=0, reset_at=reset_at) if kind == ErrorKind.RATE_LIMITED else None
    return ConnectionReport(works=False, can_post=False, message=message, error_kind=kind, rate_limit=limit,
                            **report)


# --- Reading.


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

