"""What can go wrong publishing, in one table: each kind's HTTP status, the sentence a user reads,
and what to do about it.

The X client raises XError with one of these kinds, publishers pass them on in PublishError, a
failed channel stores one in `PostChannel.error_kind`, the REST API answers with its status and
the pages show its advice. RateLimit is what a platform's rate-limit headers said. Plain Python
(no Django import): the X client imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ErrorKind(StrEnum):
    # X's answers (platforms.x.client); the other networks' clients (platforms/) use the same words
    AUTH = "auth"
    REFRESH_INVALID = "refresh_invalid"
    APP_ONLY = "app_only"
    DUPLICATE = "duplicate"
    TOO_LONG = "too_long"
    USAGE_CAPPED = "usage_capped"
    CREDITS_DEPLETED = "credits_depleted"
    REPLY_NOT_SUMMONED = "reply_not_summoned"
    MEDIA = "media"
    FORBIDDEN = "forbidden"
    BAD_REQUEST = "bad_request"
    RATE_LIMITED = "rate_limited"
    SERVER = "server"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    NOT_FOUND = "not_found"  # the network answered 404 (Mastodon: the status or server path is gone)
    # SocialHub's own (socials.publishers, posts.publishing)
    NOT_CONNECTED = "not_connected"
    UNSUPPORTED = "unsupported"
    DISCONNECTED = "disconnected"  # the account was disconnected: its channels are held
    SAME_APP = "same_app"  # another account of the post signs with the same X app: held (agency.same_app)
    SPEND_CAP = "spend_cap"  # sending it would pass a monthly spend cap on X: held (costs.caps)
    UNRESOLVED = "unknown"  # given up on while X may have the tweet: a retry reads X first
    LOST_NOT_FOUND = "lost_not_found"  # an answer was lost and the lookup did not find the tweet


@dataclass(frozen=True)
class RateLimit:
    """A platform's rate-limit headers from one answer (X's x-rate-limit-*, Mastodon's
    X-RateLimit-*). Any part may be missing."""

    limit: int | None
    remaining: int | None
    reset_at: datetime | None


@dataclass(frozen=True)
class KindInfo:
    status: int  # the HTTP status of an API answer that fails with this kind
    message: str  # what happened, for the user
    advice: str  # what a person can do about a channel that failed with it
    retryable: bool = False  # a later try of the same call can succeed
    detailed: str = ""  # the message when X said why ("{detail}": X's own words)


NOT_CONNECTED = "Twitter account not connected for this user"  # the seed's words
TOO_LONG = "Tweet content exceeds 280 character limit"  # the seed's words


def too_long(limit: int) -> str:
    """The seed's message for X's usual 280; the same words with a Premium account's 25,000."""
    return TOO_LONG if limit == 280 else f"Tweet content exceeds {limit:,} character limit"


RECONNECT = "The client must reconnect this X account, then retry this post."
TRY_AGAIN = "Retry this post in a few minutes, or ask support if it keeps failing."
REWRITE = "Write it again from this post, or ask support if it keeps failing."

KINDS: dict[ErrorKind, KindInfo] = {
    ErrorKind.AUTH: KindInfo(403, "Reconnect your X account", RECONNECT),
    ErrorKind.REFRESH_INVALID: KindInfo(403, "Reconnect your X account", RECONNECT),
    ErrorKind.APP_ONLY: KindInfo(
        403, "This X connection can only read: reconnect the X account with permission to post",
        "The client must reconnect this X account with permission to post.",
    ),
    ErrorKind.DUPLICATE: KindInfo(
        409, "X already has this exact text: change it",
        "X refuses the same text twice: write it again with different words.",
    ),
    # X's first sentence only (message_for): the rest points at twitter-text's repository.
    ErrorKind.TOO_LONG: KindInfo(
        400, "Shorten the text", "Write it again, shorter.", detailed="Shorten the text. X says: {detail}"
    ),
    ErrorKind.USAGE_CAPPED: KindInfo(
        503, "X's monthly usage cap for SocialHub is spent: contact support", "Contact SocialHub support.",
    ),
    ErrorKind.CREDITS_DEPLETED: KindInfo(
        503,
        "SocialHub's X app has no pay-per-use credits left: staff must add credits to the X app "
        "in X's developer console, then retry",
        "SocialHub staff must add credits to the X app; then retry this post.",
    ),
    ErrorKind.REPLY_NOT_SUMMONED: KindInfo(
        403,
        "X refused the reply: through the API an account may only reply where the original "
        "post's author mentioned or quoted it",
        "X lets the API reply only where the author mentioned or quoted the account: "
        "post the remaining parts on their own.",
    ),
    ErrorKind.MEDIA: KindInfo(
        400, "X rejected the media", "Write it again with other media.", detailed="X rejected the media: {detail}"
    ),
    ErrorKind.FORBIDDEN: KindInfo(403, "X refused this", REWRITE, detailed="X refused this: {detail}"),
    ErrorKind.BAD_REQUEST: KindInfo(400, "X rejected the request", REWRITE, detailed="X rejected the request: {detail}"),
    ErrorKind.RATE_LIMITED: KindInfo(
        429, "Wait a few minutes: X's rate limit", "Retry after the time shown.", retryable=True
    ),
    ErrorKind.SERVER: KindInfo(502, "X is having problems: try again in a few minutes", TRY_AGAIN, retryable=True),
    ErrorKind.TIMEOUT: KindInfo(
        502, "X did not answer in time: try again in a few minutes", TRY_AGAIN, retryable=True
    ),
    ErrorKind.CONNECTION: KindInfo(502, "Could not reach X: try again in a few minutes", TRY_AGAIN, retryable=True),
    ErrorKind.NOT_FOUND: KindInfo(
        400, "The network could not find what this post refers to", REWRITE,
        detailed="The network could not find what this post refers to: {detail}",
    ),
    ErrorKind.NOT_CONNECTED: KindInfo(
        400, NOT_CONNECTED,
        "The client must connect this X account, then retry this post.",
    ),
    ErrorKind.UNSUPPORTED: KindInfo(400, "SocialHub cannot publish to this platform yet", "Contact SocialHub support."),
    ErrorKind.DISCONNECTED: KindInfo(
        400, "This X account is disconnected: connect it again",
        "The client must reconnect this X account; the post then goes on by itself.",
    ),
    ErrorKind.SAME_APP: KindInfo(
        409, "X does not allow one app to post the same text to several accounts",
        "The client must connect this X account through its own X app (the client's X app page); "
        "the post then goes on by itself.",
    ),
    ErrorKind.SPEND_CAP: KindInfo(
        409, "Sending it would pass a monthly spend cap on X",
        "Staff can raise the cap; the post then goes on by itself (else when the month turns).",
    ),
    ErrorKind.UNRESOLVED: KindInfo(
        502, "X did not answer, and may have published it anyway: check X before retrying",
        "Look at the account on X: if the post is not there, retry it (SocialHub checks X again first).",
    ),
    ErrorKind.LOST_NOT_FOUND: KindInfo(
        502, "X did not answer, and the post is not on X: trying again", TRY_AGAIN, retryable=True
    ),
}
UNKNOWN_KIND = KindInfo(502, "Something went wrong talking to X", REWRITE)


def info(kind: str) -> KindInfo:
    """The table's row for a kind (a stored string is fine); an unknown kind gets a generic row."""
    try:
        return KINDS[ErrorKind(kind)]
    except ValueError:
        return UNKNOWN_KIND


def http_status(kind: str) -> int:
    return info(kind).status


def advice(kind: str) -> str:
    return info(kind).advice


def message_for(kind: str, *, detail: str = "", reset_at: datetime | None = None) -> str:
    """The sentence a user can act on, with X's own words (`detail`) or a limit's reset time."""
    if kind == ErrorKind.RATE_LIMITED and reset_at is not None:
        return f"Wait until {reset_at:%Y-%m-%d %H:%M} UTC: X's rate limit"
    if kind == ErrorKind.TOO_LONG and detail:
        detail = detail.split(". ")[0].rstrip(".")
    row = info(kind)
    return row.detailed.format(detail=detail) if row.detailed and detail else row.message
