"""What every platform folder shares: turning a platform's failure into the engine's PublishError
kinds (retry, wait until, reconnect, permanent), and reading rate-limit reset times."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from types import ModuleType

from django.utils import timezone

from socials.publishers import PublishError

log = logging.getLogger(__name__)



def retry(kind: str, message: str, *, outcome_unknown: bool = False) -> PublishError:
    return PublishError(kind, message, permanent=False, outcome_unknown=outcome_unknown)


def wait_until(message: str, retry_at: dt.datetime | None) -> PublishError:
    return PublishError("rate_limited", message, permanent=False, retry_at=retry_at)


def permanent(kind: str, message: str) -> PublishError:
    return PublishError(kind, message, permanent=True)


def reconnect(account, message: str) -> PublishError:
    """The account's tokens no longer work: it shows "reconnect needed" and the post fails with why."""
    from socials.account_state import mark_reconnect_needed

    if account is not None and account.pk:
        mark_reconnect_needed(account, message)
    return PublishError("auth", message, permanent=True)


def reset_time(value: str | None) -> dt.datetime | None:
    """A rate-limit reset header as a time: an ISO 8601 time (Mastodon's X-RateLimit-Reset) or
    epoch seconds (Bluesky's ratelimit-reset). None when absent or unreadable."""
    if not value:
        return None
    value = str(value).strip()
    try:
        return dt.datetime.fromtimestamp(int(float(value)), tz=dt.UTC)
    except ValueError:
        pass
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def not_before(reset: dt.datetime | None, *, default_seconds: int = 60) -> dt.datetime:
    """When to try again after a 429: the reset time when given, else a minute from now."""
    return reset or timezone.now() + dt.timedelta(seconds=default_seconds)


def check_account(account, platform: str) -> None:
    """Refuse before any network call when the account cannot publish. Raises PublishError."""
    if account.state == account.State.DISCONNECTED:
        raise permanent("not_connected", f"This {platform} account is disconnected: connect it again.")
    if account.state == account.State.RECONNECT_NEEDED:
        raise permanent("auth", account.state_message or f"Reconnect your {platform} account")


class PlatformRules:
    """The rules half of a publisher whose platform's `limits` module states them
    (`problem(text)`, `media_problem(media)`): asked while a post is written and again before
    sending. `no_threads`: why a thread cannot go there ("" where threads are reply chains)."""

    label: str
    limits: ModuleType
    no_threads = ""

    def check(self, account, *, text: str) -> None:
        check_account(account, self.label)

    def length_problem(self, account, text: str) -> str:
        return self.limits.problem(text)

    def media_problem(self, account, media: Sequence) -> str:
        return self.limits.media_problem(media)

    def thread_problem(self, account, parts: int) -> str:
        return self.no_threads if parts > 1 else ""
