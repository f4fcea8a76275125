"""Publishing to LinkedIn (a member's profile, or an organization page the member administers: the
same calls, with the page as author). LinkedIn has no idempotency key: the engine's claim decides
who sends, and a lost answer is settled by listing the author's posts
(GET /rest/posts?q=author) since the first attempt before anything is sent again; a retry LinkedIn
calls a duplicate (422 DUPLICATE_POST, naming the existing post) is settled the same way, so an
older identical post never passes for this one. Commentary is escaped as little text format."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence

from django.conf import settings
from django.utils import timezone

from socials.models import Account
from socials.publishers import AttemptKey, MediaFile, Published, UploadedMedia

from .. import common
from . import accounts, limits
from .client import LinkedIn

# An uploaded image not used in a post is not kept forever (LinkedIn names no time): an hour.
IMAGE_LIFETIME = dt.timedelta(hours=1)
CLOCK_SKEW = dt.timedelta(minutes=2)


def author(account: Account) -> str:
    """urn:li:person:<sub> for a member; a page's account id is its urn:li:organization:<id>."""
    if accounts.is_page(account):
        return account.provider_account_id
    return f"urn:li:person:{account.provider_account_id}"


class LinkedInPublisher(common.PlatformRules):
    provider = "linkedin"
    label = "LinkedIn"
    limits = limits
    no_threads = "LinkedIn has no threads: send a single post there, or leave the LinkedIn account out"

    def check(self, account: Account, *, text: str) -> None:
        super().check(account, text=text)
        if account.expires_at and account.expires_at <= timezone.now():
            raise accounts.reconnect(account, "LinkedIn's 60-day access ended: reconnect the account")

    def _api(self, account: Account, timeout=None) -> LinkedIn:
        return LinkedIn(account.oauth2_access_token, account=account, timeout=sum(timeout) if timeout else None)

    def upload_media(
        self, account: Account, files: Sequence[MediaFile], *, heartbeat: Callable[[], None]
    ) -> UploadedMedia:
        api = self._api(account)
        ids = []
        for item in files:
            with item.open() as fileobj:
                data = fileobj.read()
            heartbeat()
            urn = api.upload_image(author(account), data)
            ids.append(json.dumps({"id": urn, "altText": item.alt_text or ""}, sort_keys=True))
        return UploadedMedia(ids=ids, expires_at=timezone.now() + IMAGE_LIFETIME)

    def publish(
        self,
        account: Account,
        *,
        text: str,
        media_ids: Sequence[str],
        reply_to: str | None = None,
        timeout: tuple[float, float] | None = None,
        key: AttemptKey | None = None,
    ) -> Published:
        if reply_to:
            raise common.permanent("bad_request", self.thread_problem(account, 2))
        images = [json.loads(m) for m in media_ids]
        urn = self._api(account, timeout).create_post(author=author(account), commentary=limits.escape(text),
                                                      images=images)
        return _published(urn)

    def find(
        self, account: Account, *, text: str, since: dt.datetime | None, reply_to: str | None = None,
        key: AttemptKey | None = None,
    ) -> Published | None:
        start = since - CLOCK_SKEW if since else None
        for post in self._api(account).posts_by(author(account)):  # newest first
            created = post.get("createdAt")
            if start and isinstance(created, int) and created < start.timestamp() * 1000:
                continue
            if " ".join(limits.unescape(str(post.get("commentary") or "")).split()) == " ".join(text.split()):
                return _published(str(post["id"]))
        return None


def _published(urn: str) -> Published:
    return Published(remote_id=urn, url=f"{settings.LINKEDIN_WEB_URL}/feed/update/{urn}/", raw={"id": urn})
