"""Publishing to Mastodon. Exactly once: the engine's claim decides who sends (Mastodon does not
deduplicate two requests in flight at once); each part is sent with an Idempotency-Key derived
from the engine's AttemptKey, so a repeat within the hour returns the same status instead of a
second one; and a lost answer is settled by reading the account's statuses since the first
attempt (same text, replying to the part before) before anything is sent again."""

from __future__ import annotations

import datetime as dt
import html
import re
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from django.utils import timezone
from mastodon.errors import MastodonError

from socials.models import Account
from socials.publishers import AttemptKey, MediaFile, Published, UploadedMedia

from .. import common
from . import client, limits

if TYPE_CHECKING:
    from posts.options import PostOptions

# Unattached media stays on an instance for about a day (its media cleanup): re-upload after an hour.
MEDIA_LIFETIME = dt.timedelta(hours=1)
MEDIA_POLL_SECONDS = 1.0
MEDIA_POLL_LIMIT = 120
CLOCK_SKEW = dt.timedelta(minutes=2)
LOOKUP_LIMIT = 40  # Mastodon's page size maximum for account statuses


class MastodonPublisher:
    provider = "mastodon"

    def check(self, account: Account, *, text: str) -> None:
        common.check_account(account, "Mastodon")

    def length_problem(self, account: Account, text: str) -> str:
        return limits.problem(text, limits.for_instance(account.server_url))

    def media_problem(self, account: Account, media: Sequence) -> str:
        allowed = limits.for_instance(account.server_url).max_media
        return f"This Mastodon server takes at most {allowed} attachments per post" if len(media) > allowed else ""

    def thread_problem(self, account: Account, parts: int) -> str:
        return ""  # threads are reply chains

    def upload_media(
        self, account: Account, files: Sequence[MediaFile], *, heartbeat: Callable[[], None]
    ) -> UploadedMedia:
        api = client.account_api(account)
        ids = []
        for item in files:
            try:
                with item.open() as fileobj:
                    media = api.media_post(fileobj, mime_type=item.mime_type, description=item.alt_text or None)
                heartbeat()
                # 202: still processing. It must be processed before a status can use it.
                polls = 0
                while not media.get("url"):
                    polls += 1
                    if polls > MEDIA_POLL_LIMIT:
                        raise common.retry("media", "Mastodon is still processing the media: trying again later")
                    time.sleep(MEDIA_POLL_SECONDS)
                    heartbeat()
                    media = api.media(media["id"])
            except MastodonError as exc:
                raise client.error(exc, doing="uploading media", account=account, client=api) from exc
            ids.append(str(media["id"]))
        return UploadedMedia(ids=ids, expires_at=timezone.now() + MEDIA_LIFETIME)

    def network_options(self, options: PostOptions) -> dict:
        """What the engine gives publish() with every part: the post's visibility on Mastodon."""
        return {"visibility": options.mastodon_visibility}

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
        api = client.account_api(account, timeout=sum(timeout) if timeout else None)
        try:
            status = api.status_post(
                text, in_reply_to_id=reply_to or None, media_ids=list(media_ids) or None,
                visibility=(options or {}).get("visibility") or "public", idempotency_key=str(key) if key else None,
            )
        except MastodonError as exc:
            raise client.error(exc, doing="posting", sent=True, account=account, client=api) from exc
        return _published(status)

    def find(
        self, account: Account, *, text: str, since: dt.datetime | None, reply_to: str | None = None,
        key: AttemptKey | None = None,
    ) -> Published | None:
        api = client.account_api(account)
        try:
            statuses = api.account_statuses(account.provider_account_id, exclude_reblogs=True, limit=LOOKUP_LIMIT)
        except MastodonError as exc:
            raise client.error(exc, doing="reading the account's posts", account=account, client=api) from exc
        start = since - CLOCK_SKEW if since else None
        wanted = comparable(text)
        for status in statuses:  # newest first
            created = status.get("created_at")
            if start and isinstance(created, dt.datetime) and created < start:
                break
            if reply_to and str(status.get("in_reply_to_id") or "") != str(reply_to):
                continue
            if comparable(plain_text(str(status.get("content") or ""))) == wanted:
                return _published(status)
        return None


def _published(status) -> Published:
    return Published(remote_id=str(status["id"]), url=str(status.get("url") or status.get("uri") or ""),
                     raw={"id": str(status["id"])})


_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH = re.compile(r"</p>\s*<p>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def plain_text(content: str) -> str:
    """A status's HTML `content` back to text: paragraphs and line breaks as new lines, tags
    dropped (a long link's hidden parts are kept: Mastodon shortens it only for display)."""
    content = _PARAGRAPH.sub("\n\n", content)
    content = _BREAK.sub("\n", content)
    return html.unescape(_TAG.sub("", content))


def comparable(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())
