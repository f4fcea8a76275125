"""Publishing to Instagram: a media container (POST /{ig-user-id}/media, Instagram fetching the
file from a signed, expiring URL of ours), polled until its status_code is FINISHED, then
media_publish. Carousels: a container per image (is_carousel_item), then the carousel's own.

Exactly once: the container is stored (platforms.InstagramContainer, under the attempt's key)
before media_publish is called, and every retry of the attempt publishes that same container,
which Instagram publishes only once. A lost answer is settled by the container's status_code:
PUBLISHED means it is live (its media is then found among the account's newest posts); anything
else means it is not, and the retry publishes the stored container."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence

from django.conf import settings
from django.utils import timezone

from socials.models import Account
from socials.publishers import AttemptKey, MediaFile, Published, PublishError, UploadedMedia

from .. import common
from ..models import InstagramContainer
from . import client, limits
from .client import Instagram

CLOCK_SKEW = dt.timedelta(minutes=2)
DAY = dt.timedelta(hours=24)


class InstagramPublisher(common.PlatformRules):
    provider = "instagram"
    label = "Instagram"
    limits = limits
    no_threads = "Instagram has no threads: send a single post there, or leave the Instagram account out"

    def check(self, account: Account, *, text: str) -> None:
        super().check(account, text=text)
        if account.expires_at and account.expires_at <= timezone.now():
            raise common.reconnect(account, "Instagram's 60-day access ended: reconnect the account")

    def upload_media(
        self, account: Account, files: Sequence[MediaFile], *, heartbeat: Callable[[], None]
    ) -> UploadedMedia:
        """Nothing is uploaded: Instagram fetches each file itself, from a signed link that
        expires (MEDIA_SIGNED_URL_SECONDS), so the "ids" are those links, made anew when old."""
        if problem := limits.media_problem(files):
            raise common.permanent("media", problem)
        ids = [json.dumps({"url": item.url(), "kind": item.kind, "alt": item.alt_text or ""}) for item in files]
        return UploadedMedia(ids=ids, expires_at=timezone.now() + dt.timedelta(seconds=settings.MEDIA_SIGNED_URL_SECONDS))

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
        if not media_ids:
            raise common.permanent("media", limits.NEEDS_MEDIA)
        items = [json.loads(m) for m in media_ids]
        api, user_id = client.for_account(account), account.provider_account_id
        stored = InstagramContainer.objects.filter(key=str(key)).first() if key else None
        container_id = ""
        if stored:
            status = api.container(stored.container_id)
            if status.get("status_code") == "PUBLISHED":  # an earlier try's lost answer
                return self._listed_or_later(api, account, text, stored.created_at)
            if status.get("status_code") != "EXPIRED":  # still usable: never a second container
                container_id = stored.container_id
        if not container_id:
            created = timezone.now()
            container_id = self._container(api, user_id, text, items)
            if key:
                InstagramContainer.objects.update_or_create(key=str(key), defaults={
                    "account": account, "container_id": container_id, "created_at": created})
            stored = InstagramContainer(container_id=container_id, created_at=created)
        if self._wait_finished(api, container_id, items) == "PUBLISHED":
            return self._listed_or_later(api, account, text, stored.created_at)
        self._check_quota(api, user_id)
        try:
            media_id = api.publish(user_id, container_id)
        except PublishError as exc:
            # A container published by an earlier try is refused: its status says so.
            if exc.permanent and exc.kind != "auth" and api.container(container_id).get("status_code") == "PUBLISHED":
                return self._listed_or_later(api, account, text, stored.created_at)
            raise
        return self._published(api, media_id)

    def find(
        self, account: Account, *, text: str, since: dt.datetime | None, reply_to: str | None = None,
        key: AttemptKey | None = None,
    ) -> Published | None:
        """The post made from this attempt's container, when its status_code is PUBLISHED. No
        stored container: media_publish was never called, so there is nothing to find."""
        stored = InstagramContainer.objects.filter(key=str(key)).first() if key else None
        if stored is None:
            return None
        api = client.for_account(account)
        if api.container(stored.container_id).get("status_code") != "PUBLISHED":
            return None
        return self._listed_or_later(api, account, text, stored.created_at)

    # --- the steps

    def _container(self, api: Instagram, user_id: str, caption: str, items: list[dict]) -> str:
        if len(items) == 1:
            item = items[0]
            if item["kind"] == "video":
                return api.create_container(user_id, media_type="REELS", video_url=item["url"], caption=caption,
                                            media_url=item["url"])
            return api.create_container(user_id, image_url=item["url"], alt_text=item["alt"], caption=caption,
                                        media_url=item["url"])
        children = [
            api.create_container(user_id, is_carousel_item="true", image_url=item["url"], alt_text=item["alt"],
                                 media_url=item["url"], doing=f"creating carousel item {number}")
            for number, item in enumerate(items, start=1)
        ]
        return api.create_container(user_id, media_type="CAROUSEL", children=",".join(children), caption=caption,
                                    doing="creating the carousel")

    def _wait_finished(self, api: Instagram, container_id: str, items: list[dict]) -> str:
        """Poll status_code until FINISHED (or PUBLISHED), within INSTAGRAM_POLL_LIMIT_SECONDS."""
        give_up = time.monotonic() + settings.INSTAGRAM_POLL_LIMIT_SECONDS
        while True:
            found = api.container(container_id)
            status = str(found.get("status_code") or "")
            if status in ("FINISHED", "PUBLISHED"):
                return status
            if status == "ERROR":
                raise _container_error(str(found.get("status") or ""), items)
            if status == "EXPIRED":  # the next try makes a new one
                raise common.retry("server", "Instagram let the media container expire: making a new one")
            if time.monotonic() >= give_up:
                raise common.retry("server", "Instagram is still processing the media: publishing it at the next try")
            time.sleep(settings.INSTAGRAM_POLL_SECONDS)

    def _check_quota(self, api: Instagram, user_id: str) -> None:
        """content_publishing_limit: when the 24-hour quota is spent, wait until its oldest post
        within the last 24 hours is a day old (else an hour)."""
        used, allowed = api.publishing_quota(user_id)
        if used < allowed:
            return
        now = timezone.now()
        times = [when for media in api.recent_media(user_id, limit=min(allowed, 100))
                 if (when := _timestamp(media)) and when > now - DAY]
        retry_at = min(times) + DAY if times else now + dt.timedelta(hours=1)
        raise common.wait_until(f"Instagram's limit of {allowed} posts per 24 hours is reached: waiting until "
                                f"{retry_at:%Y-%m-%d %H:%M} UTC", retry_at)

    def _listed_or_later(self, api: Instagram, account: Account, text: str, since: dt.datetime) -> Published:
        """The published container's post among the account's newest, by caption and time."""
        wanted = " ".join(text.split())
        for media in api.recent_media(account.provider_account_id):
            when = _timestamp(media)
            if when and when < since - CLOCK_SKEW:
                break  # newest first: older ones are not this attempt's
            if " ".join(str(media.get("caption") or "").split()) == wanted:
                return Published(remote_id=str(media["id"]), url=str(media.get("permalink") or ""), raw=media)
        raise common.retry("server", "Instagram published it, but does not list it yet: looking again later",
                           outcome_unknown=True)

    def _published(self, api: Instagram, media_id: str) -> Published:
        try:
            media = api.media(media_id)
        except PublishError:  # it is live: a missing link must not fail it
            media = {"id": media_id}
        return Published(remote_id=media_id, url=str(media.get("permalink") or ""), raw=media)


def _container_error(status: str, items: list[dict]) -> PublishError:
    """A container whose status_code is ERROR, with Instagram's reason ("status")."""
    if any(str(code) in status for code in client.FETCH_FAILED) or "download" in status.lower():
        return client.fetch_failed(items[0]["url"], status)
    return common.permanent("media", f"Instagram could not use the media: {status or 'no reason given'}")


def _timestamp(media: dict) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(media.get("timestamp") or ""))
    except ValueError:
        return None
