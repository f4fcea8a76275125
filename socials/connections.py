"""How socials.services reaches an account's platform without naming it: test the connection,
revoke tokens on disconnect, check and identify tokens typed in by hand. Each platform folder adds
its Connection in platforms.apps, as a dotted path imported when first used (like the publishers in
socials.publishers), so a process that never tests a Bluesky account never loads atproto.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from django.utils.module_loading import import_string

from .error_kinds import ErrorKind, RateLimit
from .models import Account


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


class Connection(Protocol):
    def check_tokens(self, token_type: str, values: dict) -> None:
        """Beyond the fields the kind of connection needs (services checks those): refuse tokens
        this platform could never accept. Raises ValidationError."""

    def identify(self, token_type: str, values: dict) -> dict:
        """Who tokens typed in by hand belong to: {id, username, name, and any Account fields the
        platform fills in}. Raises ValidationError (also where the platform has no such route)."""

    def test(self, account: Account) -> ConnectionReport:
        """Ask the platform, with one cheap identity call, whether the account's tokens work.
        Marks the account "reconnect needed" when they do not, "connected" again when they do."""

    def revoke(self, account: Account) -> bool | None:
        """End SocialHub's access at the platform with the tokens `account` still holds (a copy:
        the stored row has forgotten them). None: nothing to revoke; False: the platform refused
        or could not be reached. Never raises."""


# A provider's Connection, or the dotted path of its class (platforms.apps fills it in).
CONNECTIONS: dict[str, Connection | str] = {}


def connection_for(provider: str) -> Connection | None:
    """The Connection of an account's provider, or None for a platform SocialHub does not know."""
    found = CONNECTIONS.get(provider)
    if isinstance(found, str):
        found = CONNECTIONS[provider] = import_string(found)()
    return found


def unsupported(account: Account) -> ConnectionReport:
    return ConnectionReport(
        works=False, can_post=False, error_kind=ErrorKind.UNSUPPORTED, account_id=account.pk,
        auth_type=account.token_type, authentication=account.get_token_type_display(), username=account.username,
        expires_at=account.expires_at, message=f"SocialHub cannot test {account.provider or 'this'} accounts.")
