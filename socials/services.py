"""Actions on connected accounts, whatever their network: one place each. The pages, the REST API,
the admin, the allauth adapter and each platform's connect flow all call these. What only a
platform knows (its tokens' shape, who they belong to, test connection, revoking) is asked of its
Connection (socials.connections), so this module names no platform.

Tokens have one home, socials.Account (encrypted at rest). allauth's SocialAccount/SocialToken are
not used: the connect flow hands its tokens to `connect_account` and stops there (see adapters.py).
Services take keyword-only arguments and raise domain errors (ValidationError, NotAllowed).
"""

import copy
import datetime as dt
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from socialhub.errors import NotAllowed

from .account_state import lock_account
from .connections import ConnectionReport, connection_for, unsupported
from .models import TOKEN_FIELDS, Account
from .signals import account_connected, account_disconnected

log = logging.getLogger(__name__)

# The provider of an account connected without naming one: the model's default, X (the seed's network).
DEFAULT_PROVIDER = Account._meta.get_field("provider").default
# What each kind of connection cannot do without, whatever the platform (its Connection checks more).
REQUIRED_TOKENS = {
    Account.TokenType.BEARER: (),  # X falls back to settings.TWITTER_BEARER_TOKEN
    Account.TokenType.OAUTH1: ("oauth1_access_token", "oauth1_access_token_secret"),
    Account.TokenType.OAUTH2_USER: ("oauth2_access_token",),
    Account.TokenType.APP_PASSWORD: ("oauth2_access_token", "oauth2_refresh_token"),  # a Bluesky session
}


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


def check_tokens(*, provider: str, token_type: str, values: dict) -> None:
    """Raise ValidationError unless `values` hold what this kind of connection needs on this platform."""
    missing = [name for name in REQUIRED_TOKENS[token_type] if not values.get(name)]
    if missing:
        raise ValidationError({name: ["This token is required for this kind of connection."] for name in missing})
    connection = connection_for(provider)
    if connection is not None:
        connection.check_tokens(token_type, values)


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
    provider: str = DEFAULT_PROVIDER,
    server_url: str = "",
    verified_type: str = "",
    subscription_type: str = "",
    **token_values: str,
) -> Connected:
    """Save an account's new tokens: create it, or reconnect it (the new tokens replace every old
    one, the state becomes "connected" and the posts held for it are queued again).
    `verified_type`/`subscription_type`: what X's /2/users/me said (Premium accounts post long).

    `token_values` are Account token fields (TOKEN_FIELDS). `provider`: the account's platform;
    `server_url`: its Mastodon instance or Bluesky PDS. Raises ValidationError.
    """
    unknown = set(token_values) - set(TOKEN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown token fields: {sorted(unknown)}")
    if not user.is_client:
        raise ValidationError({"user": ["Connected accounts belong to clients."]})
    token_type = _clean_token_type(token_type)
    check_tokens(provider=provider, token_type=token_type, values=token_values)
    provider_account_id = str(provider_account_id or "").strip()
    if not provider_account_id:
        raise ValidationError({"provider_account_id": ["The account's id on its network is required."]})

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
    provider: str = DEFAULT_PROVIDER,
    **token_values: str,
) -> Connected:
    """Register an account with tokens the client already has (staff in the admin, the REST API;
    only X takes tokens typed in).

    Without the account's id, the platform is asked who the tokens belong to (its Connection's
    identify: X's /2/users/me). Raises NotAllowed or ValidationError.
    """
    if not can_register_for(actor, user):
        raise NotAllowed("Only staff or the client themselves can add an account.")
    token_type = _clean_token_type(token_type)
    token_values = {k: v for k, v in token_values.items() if v}
    check_tokens(provider=provider, token_type=token_type, values=token_values)
    found = {}
    if not provider_account_id:
        me = identify(provider=provider, token_type=token_type, values=token_values)
        provider_account_id, username, name = me["id"], username or me.get("username", ""), name or me.get("name", "")
        found = {k: v for k, v in me.items() if k in ("verified_type", "subscription_type")}
    return connect_account(**found,
        provider=provider,
        user=user,
        provider_account_id=provider_account_id,
        username=username,
        name=name,
        token_type=token_type,
        expires_at=expires_at,
        scope=scope,
        **token_values,
    )


def identify(*, provider: str, token_type: str, values: dict) -> dict:
    """Who the tokens belong to ({id, username, name, ...}), asked of the platform. Raises ValidationError."""
    connection = connection_for(provider)
    if connection is None:
        raise ValidationError({"provider": [f"SocialHub does not know {provider or 'this platform'}."]})
    return connection.identify(token_type, values)


@transaction.atomic
def update_account(*, actor: User, account: Account, **changes) -> Account:
    """Change an account's names or tokens (staff, or the owning client). Token fields that are not
    given keep their stored value; new tokens make the account "connected" again and release its
    held posts. `long_posts_by_hand` (staff only): whether the account may post long (Premium)
    posts whatever X says; None follows X again. Raises NotAllowed or ValidationError."""
    if not can_manage(actor, account):
        raise NotAllowed("You cannot change this account.")
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
        check_tokens(provider=locked.provider, token_type=token_type,
                     values={name: getattr(locked, name) for name in TOKEN_FIELDS})
        locked.state, locked.state_message = Account.State.CONNECTED, ""
    locked.save()
    if new_tokens:
        _connected(locked)
    return locked


# --- Disconnecting.


@dataclass(frozen=True)
class Disconnected:
    account: Account
    revoked: bool | None  # None: nothing to revoke (OAuth 1.0a, bearer, ...); False: the platform's revoke failed
    held: int  # posts waiting for this account, now held


def disconnect_account(*, actor: User, account: Account) -> Disconnected:
    """Forget the account's tokens, revoke them at the platform where it can, and hold the posts
    waiting for it.

    The account row stays (its posts' history points at it), "disconnected" and without tokens. A
    failed revoke does not stop the disconnect: the tokens are gone from SocialHub either way.
    Raises NotAllowed.
    """
    if not can_manage(actor, account):
        raise NotAllowed("You cannot disconnect this account.")
    with transaction.atomic():
        locked = lock_account(account.pk)
        forgotten = copy.copy(locked)  # its tokens, to revoke once the transaction is over
        for name in TOKEN_FIELDS:
            setattr(locked, name, "")
        locked.expires_at = None
        locked.state = Account.State.DISCONNECTED
        locked.state_message = f"Disconnected by {actor.username} on {timezone.now():%Y-%m-%d %H:%M} UTC."
        locked.save()
        held = sum(count for _, count in account_disconnected.send(sender=Account, account=locked))
    # Outside the transaction: no row lock held during a network call.
    connection = connection_for(locked.provider)
    revoked = connection.revoke(forgotten) if connection is not None else None
    log.info("%s account %s disconnected by %s; revoked=%s; %d channel(s) held",
             locked.provider, locked.pk, actor.pk, revoked, held)
    return Disconnected(account=locked, revoked=revoked, held=held)


def _connected(account: Account) -> int:
    """Tell publishing the account works again (it releases the posts held for it)."""
    return sum(count for _, count in account_connected.send(sender=Account, account=account))


# --- Testing the connection.


def test_connection(*, actor: User, account: Account) -> ConnectionReport:
    """Ask the account's platform, with one cheap identity call of its own client, whether its
    tokens work: how it is authenticated, the token expiry and the rate-limit budget where the
    platform reports one. Dead tokens mark the account "reconnect needed"; working ones clear it.

    Only those who manage the account (its client, staff) spend its token on this: raises NotAllowed."""
    if not can_manage(actor, account):
        raise NotAllowed("Only the account's client or staff can test its connection.")
    connection = connection_for(account.provider)
    return connection.test(account) if connection is not None else unsupported(account)


test_connection.__test__ = False  # not a pytest test, whatever its name
