"""Publishing to a Facebook Page with its page token. Facebook has no idempotency key: the engine's
claim decides who sends, and a lost answer is settled by reading the page's published posts
(GET /{page-id}/published_posts since the first attempt) and comparing the message before
anything is sent again. Photos are uploaded unpublished first (a repeated upload only leaves an
unused unpublished photo) and attached to the one /feed call that creates the post, so a post is
always made by a single call whose outcome that lookup settles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from django.conf import settings
from django.utils import timezone

from socials.models import Account
from socials.publishers import AttemptKey, MediaFile, Published, UploadedMedia

from .. import common
from . import limits
from .client import Graph

# Facebook names no lifetime for an unpublished photo: use it within the hour, else upload again.
PHOTO_LIFETIME = dt.timedelta(hours=1)
CLOCK_SKEW = dt.timedelta(minutes=2)


class FacebookPublisher(common.PlatformRules):
    provider = "facebook"
    label = "Facebook"
    limits = limits
    no_threads = "Facebook Pages have no threads: send a single post there, or leave the Page out"

    def _api(self, account: Account, timeout=None) -> Graph:
        return Graph(account.oauth2_access_token, account=account, timeout=sum(timeout) if timeout else None)

    def upload_media(
        self, account: Account, files: Sequence[MediaFile], *, heartbeat: Callable[[], None]
    ) -> UploadedMedia:
        api, ids = self._api(account), []
        for item in files:
            with item.open() as fileobj:
                data = fileobj.read()
            heartbeat()
            ids.append(api.upload_photo(account.provider_account_id, data=data, mime_type=item.mime_type))
        return UploadedMedia(ids=ids, expires_at=timezone.now() + PHOTO_LIFETIME)

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
        post_id = self._api(account, timeout).create_post(
            account.provider_account_id, message=text, photo_ids=list(media_ids), link=limits.first_link(text))
        return published(post_id)

    def find(
        self, account: Account, *, text: str, since: dt.datetime | None, reply_to: str | None = None,
        key: AttemptKey | None = None,
    ) -> Published | None:
        start = since - CLOCK_SKEW if since else None
        wanted = " ".join(text.split())
        for post in self._api(account).published_posts(account.provider_account_id, since=start):
            if " ".join(str(post.get("message") or "").split()) == wanted:
                return published(str(post["id"]))
        return None


def published(post_id: str) -> Published:
    page, _, post = post_id.partition("_")
    url = f"{settings.FACEBOOK_WEB_URL}/{page}/posts/{post}" if post else f"{settings.FACEBOOK_WEB_URL}/{post_id}"
    return Published(remote_id=post_id, url=url, raw={"id": post_id})
