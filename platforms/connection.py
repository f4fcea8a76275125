"""What test connection does the same way on every network but X: ask the platform who the token
belongs to (each folder's connection.py says how, with its client's cheapest identity call), and
say whether it works, with the rate-limit budget where the platform reports one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from socials.connections import ConnectionReport
from socials.error_kinds import ErrorKind, RateLimit
from socials.models import Account
from socials.publishers import PublishError

from .registry import account_label, platform_label


class PlatformConnection:
    """A platform's socials.connections.Connection. Subclasses answer `whoami`, and `revoke`
    where the platform can end a token."""

    def whoami(self, account: Account) -> tuple[str, str, RateLimit | None]:
        """(username, display name, rate-limit budget or None) of the account's token.
        Raises PublishError; one that means the token is dead marks the account (common.reconnect)."""
        raise NotImplementedError

    def revoke(self, account: Account) -> bool | None:
        return None

    def check_tokens(self, token_type: str, values: dict) -> None:
        return None  # tokens come from the platform's own connect flow, never typed in

    def identify(self, token_type: str, values: dict) -> dict:
        raise ValidationError({"token_type": ["Connect this network's accounts from the accounts page."]})

    def test(self, account: Account) -> ConnectionReport:
        label = platform_label(account.provider)
        report = dict(account_id=account.pk, auth_type=account.token_type,
                      authentication=account.get_token_type_display(), username=account.username, expires_at=None)
        if account.state == Account.State.DISCONNECTED:
            return ConnectionReport(works=False, can_post=False, error_kind=ErrorKind.DISCONNECTED,
                                    message=f"This {label} account is disconnected: connect it again.", **report)
        try:
            username, name, rate_limit = self.whoami(account)
        except PublishError as exc:
            Account.objects.filter(pk=account.pk).update(last_checked_at=timezone.now())
            limit = RateLimit(limit=None, remaining=0, reset_at=exc.retry_at) if exc.kind == ErrorKind.RATE_LIMITED else None
            return ConnectionReport(works=False, can_post=False, message=exc.user_message, error_kind=exc.kind,
                                    rate_limit=limit, **report)
        changes = {"last_checked_at": timezone.now(), "username": username or account.username,
                   "name": name or account.name}
        if account.state == Account.State.RECONNECT_NEEDED:
            changes.update(state=Account.State.CONNECTED, state_message="")
        Account.objects.filter(pk=account.pk).update(**changes)
        account.username = changes["username"]
        report["username"] = account.username
        return ConnectionReport(works=True, can_post=True, rate_limit=rate_limit,
                                message=f"The {label} connection of {account_label(account)} works.", **report)
