"""Publishing to a Facebook Page with its page token. Facebook has no idempotency key: the engine's
claim decides who sends, and a lost answer is settled by reading the page's videos and published
posts (since the first attempt) and comparing the text before anything is sent again. Photos are
uploaded unpublished first, with their alt text (a repeated upload only leaves an unused
unpublished photo), and attached to the one /feed call that creates the post. A video is not
uploaded: Facebook fetches it from a signed, expiring link of ours (file_url) in the one
/videos call that creates the post. Either way a post is made by a single call whose outcome
those lookups settle. The videos are read first: a video is listed there at once, while its post
reaches the page's feed only once Facebook has processed the video."""

from __future__ import annotations

import datetime as dt
import json
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
        if problem := limits.media_problem(files):
            raise common.permanent("media", problem)
        if files and files[0].kind == "video":
            # Nothing is uploaded: the "id" is the signed link Facebook fetches, made anew when old.
            lifetime = dt.timedelta(seconds=settings.MEDIA_SIGNED_URL_SECONDS)
            return UploadedMedia(ids=[json.dumps({"video_url": files[0].url()})], expires_at=timezone.now() + lifetime)
        api, ids = self._api(account), []
        for item in files:
            with item.open() as fileobj:
                data = fileobj.read()
            heartbeat()
            ids.append(api.upload_photo(account.provider_account_id, data=data, mime_type=item.mime_type,
                                        alt_text=item.alt_text))
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
        api, page_id = self._api(account, timeout), account.provider_account_id
        if video := _video_url(media_ids):
            return published_video(page_id, api.create_video(page_id, description=text, file_url=video))
        post_id = api.create_post(page_id, message=text, photo_ids=list(media_ids), link=limits.first_link(text))
        return published(post_id)

    def find(
        self, account: Account, *, text: str, since: dt.datetime | None, reply_to: str | None = None,
        key: AttemptKey | None = None,
    ) -> Published | None:
        start = since - CLOCK_SKEW if since else None
        wanted, api, page_id = _words(text), self._api(account), account.provider_account_id
        for video in api.videos(page_id, since=start):
            if _words(video.get("description")) == wanted:
                return published_video(page_id, str(video["id"]))
        for post in api.published_posts(page_id, since=start):
            if _words(post.get("message")) == wanted:
                return published(str(post["id"]))
        return None


def _words(text) -> str:
    return " ".join(str(text or "").split())


def _video_url(media_ids: Sequence[str]) -> str:
    """The link Facebook fetches a video from, when the post's media is a video (upload_media)."""
    if len(media_ids) == 1 and media_ids[0].startswith("{"):
        return str(json.loads(media_ids[0])["video_url"])
    return ""


def published(post_id: str) -> Published:
    page, _, post = post_id.partition("_")
    url = f"{settings.FACEBOOK_WEB_URL}/{page}/posts/{post}" if post else f"{settings.FACEBOOK_WEB_URL}/{post_id}"
    return Published(remote_id=post_id, url=url, raw={"id": post_id})


def published_video(page_id: str, video_id: str) -> Published:
    """A video post, known by its video's id (what /videos answers, and what the page's videos list)."""
    return Published(remote_id=video_id, url=f"{settings.FACEBOOK_WEB_URL}/{page_id}/videos/{video_id}",
                     raw={"id": video_id})
