"""Publishers: how a post reaches one platform. A registry maps an account's provider to its
publisher, so a platform is a folder of its own (platforms/<name>/publisher.py) plus one registry line.

A publisher knows accounts, text and files; it knows nothing about posts, channels or retries
(posts/publishing.py decides those). Every failure is a PublishError that says whether a retry
can help and whether the platform may have done the work anyway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Protocol

from django.utils.module_loading import import_string

from .error_kinds import ErrorKind
from .models import Account


class PublishError(Exception):
    """Publishing failed. `permanent`: retrying the same thing will not help. `outcome_unknown`:
    the platform may have published it anyway (reconcile before sending again). `retry_at`: not
    before then (rate limits). `user_message`: what the client or reseller can do about it."""

    def __init__(
        self,
        kind: str,
        user_message: str,
        *,
        permanent: bool = True,
        outcome_unknown: bool = False,
        retry_at: dt.datetime | None = None,
        details: dict | None = None,
    ):
        super().__init__(user_message)
        self.kind = ErrorKind(kind)
        self.user_message = user_message
        self.permanent = permanent
        self.outcome_unknown = outcome_unknown
        self.retry_at = retry_at
        self.details = details or {}


@dataclass(frozen=True)
class MediaFile:
    """One attachment, opened on demand (an upload may be repeated after a token refresh)."""

    open: Callable[[], IO[bytes]]
    kind: str  # "image", "gif" or "video"
    mime_type: str
    size: int
    alt_text: str = ""
    # A signed, expiring absolute link to the file, for a platform that fetches it itself (Instagram).
    url: Callable[[], str] | None = None


@dataclass(frozen=True)
class UploadedMedia:
    ids: list[str]
    expires_at: dt.datetime


@dataclass(frozen=True)
class AttemptKey:
    """Names one part of one channel across every attempt to send it, until it is published or
    given up on: the channel, the part's position and the channel's first attempt (all written by
    the claim before anything is sent). A platform with an idempotency key (Mastodon) or a
    client-chosen record key (Bluesky) derives it from this, so a repeat cannot post twice."""

    channel_id: int
    position: int
    first_attempt_at: dt.datetime

    @property
    def micros(self) -> int:
        return int(self.first_attempt_at.timestamp() * 1_000_000)

    def __str__(self) -> str:
        return f"socialhub-{self.channel_id}-{self.position}-{self.micros}"


@dataclass(frozen=True)
class Published:
    remote_id: str
    url: str
    raw: dict = field(default_factory=dict, compare=False)


class Publisher(Protocol):
    def check(self, account: Account, *, text: str) -> None:
        """Refuse before any network call when the account cannot publish. Raises PublishError."""

    def length_problem(self, account: Account, text: str) -> str:
        """Why this text is too long for the account's platform, or "" when it fits."""

    def media_problem(self, account: Account, media: Sequence) -> str:
        """Why the platform would refuse these attachments (objects with kind, mime_type, size), or ""."""

    def thread_problem(self, account: Account, parts: int) -> str:
        """Why the platform cannot take a thread of this many parts, or ""."""

    def upload_media(
        self, account: Account, files: Sequence[MediaFile], *, heartbeat: Callable[[], None]
    ) -> UploadedMedia:
        """Upload files for this account; call `heartbeat` now and then. Raises PublishError."""

    def publish(
        self,
        account: Account,
        *,
        text: str,
        media_ids: Sequence[str],
        reply_to: str | None = None,
        timeout: tuple[float, float] | None = None,
        key: AttemptKey | None = None,
        options: Mapping | None = None,
    ) -> Published:
        """Create the post, as a reply to `reply_to` when given (a thread's next part), waiting at
        most `timeout` for the platform. `key`: the same for every attempt at this part.
        `options`: more of X's CreatePostsRequest properties (poll, reply_settings, quote_tweet_id,
        community_id, labels), given only to publishers with `post_options = True`.
        Raises PublishError (with outcome_unknown when it may exist)."""

    def find(
        self, account: Account, *, text: str, since: dt.datetime | None, reply_to: str | None = None,
        key: AttemptKey | None = None,
    ) -> Published | None:
        """The account's recent post with this text created since `since` (replying to
        `reply_to`, when given), or the one made under `key`, if any. Raises PublishError."""


# A provider's publisher, or the dotted path of its class (each platform folder adds its own in
# platforms.apps): imported when first used, so a process that never posts there (the dispatcher; a
# worker without such accounts) never loads its client library (atproto alone is about 0.9 s of CPU
# at boot: docs/performance.md, "Boot").
PUBLISHERS: dict[str, Publisher | str] = {}


def publisher_for(provider: str) -> Publisher:
    """The publisher of an account's provider. Raises PublishError for a platform we cannot post to."""
    try:
        found = PUBLISHERS[provider]
    except KeyError:
        raise PublishError(ErrorKind.UNSUPPORTED, f"SocialHub cannot publish to {provider or 'this platform'} yet") from None
    if isinstance(found, str):
        found = PUBLISHERS[provider] = import_string(found)()
    return found
