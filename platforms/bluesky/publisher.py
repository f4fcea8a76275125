"""Publishing to Bluesky. Exactly once by construction: each part is written with
com.atproto.repo.createRecord under a record key (a TID) derived from the engine's AttemptKey,
which the claim wrote before anything was sent. Writing an existing key fails, so a repeat can
never make a second post; and a lost answer is settled by reading that very key back
(com.atproto.repo.getRecord), not by searching. The remote id is the record key; the account's
DID completes its at:// address."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence

from atproto_client.exceptions import BadRequestError, RequestErrorBase
from django.conf import settings
from django.utils import timezone

from socials.models import Account
from socials.publishers import AttemptKey, MediaFile, Published, UploadedMedia

from .. import common
from . import client, limits, tid

COLLECTION = "app.bsky.feed.post"
# A blob not referenced by a record is removed by the PDS after a while: re-upload after an hour.
BLOB_LIFETIME = dt.timedelta(hours=1)
_LINK = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'']")


class BlueskyPublisher(common.PlatformRules):
    provider = "bluesky"
    label = "Bluesky"
    limits = limits

    def upload_media(
        self, account: Account, files: Sequence[MediaFile], *, heartbeat: Callable[[], None]
    ) -> UploadedMedia:
        problem = limits.media_problem(files)
        if problem:
            raise common.permanent("media", problem)
        api = client.account_client(account)
        ids = []
        for item in files:
            with item.open() as fileobj:
                data = fileobj.read()
            heartbeat()
            try:
                answer = api.com.atproto.repo.upload_blob(data, headers={"Content-Type": item.mime_type})
            except client.FAILURES as exc:
                raise client.error(exc, doing="uploading an image", account=account) from exc
            blob = answer.blob.model_dump(mode="json", by_alias=True, exclude_none=True)
            ids.append(json.dumps({"image": blob, "alt": item.alt_text or ""}, sort_keys=True))
        return UploadedMedia(ids=ids, expires_at=timezone.now() + BLOB_LIFETIME)

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
        if key is None:
            raise common.permanent("bad_request", "Bluesky posts need the attempt's record key")
        rkey = tid.for_attempt(key)
        api = client.account_client(account, timeout=sum(timeout) if timeout else None)
        record = {"$type": COLLECTION, "text": text, "createdAt": _now(), **facets(text)}
        if reply_to:
            record["reply"] = self._reply(api, account, reply_to)
        if media_ids:
            record["embed"] = {"$type": "app.bsky.embed.images", "images": [json.loads(m) for m in media_ids]}
        try:
            api.com.atproto.repo.create_record(
                {"repo": account.provider_account_id, "collection": COLLECTION, "rkey": rkey, "record": record}
            )
        except BadRequestError as exc:
            # The key is taken: only an earlier attempt at this very part can have taken it.
            existing = self._get(api, account, rkey)
            if existing is not None:
                return existing
            raise client.error(exc, doing="posting", account=account) from exc
        except client.FAILURES as exc:
            raise client.error(exc, doing="posting", sent=True, account=account) from exc
        return _published(account, rkey)

    def find(
        self, account: Account, *, text: str, since: dt.datetime | None, reply_to: str | None = None,
        key: AttemptKey | None = None,
    ) -> Published | None:
        if key is None:
            return None  # without the key there is nothing to look up (never the case for our posts)
        api = client.account_client(account)
        return self._get(api, account, tid.for_attempt(key))

    def _get(self, api, account: Account, rkey: str) -> Published | None:
        try:
            api.com.atproto.repo.get_record(
                {"repo": account.provider_account_id, "collection": COLLECTION, "rkey": rkey}
            )
        except RequestErrorBase as exc:
            if exc.response is not None and exc.response.status_code in (400, 404) and _not_found(exc):
                return None
            raise client.error(exc, doing="looking the post up", account=account) from exc
        except client.FAILURES as exc:
            raise client.error(exc, doing="looking the post up", account=account) from exc
        return _published(account, rkey)

    def _reply(self, api, account: Account, parent_rkey: str) -> dict:
        """reply.root and reply.parent ({uri, cid} each): the part before, and its thread's first."""
        try:
            parent = api.com.atproto.repo.get_record(
                {"repo": account.provider_account_id, "collection": COLLECTION, "rkey": parent_rkey}
            )
        except client.FAILURES as exc:
            raise client.error(exc, doing="reading the part before", account=account) from exc
        parent_ref = {"uri": parent.uri, "cid": parent.cid}
        reply = getattr(parent.value, "reply", None)
        root = {"uri": reply.root.uri, "cid": reply.root.cid} if reply else parent_ref
        return {"root": root, "parent": parent_ref}


def _not_found(exc: RequestErrorBase) -> bool:
    content = exc.response.content
    name = content.get("error") if isinstance(content, dict) else getattr(content, "error", "")
    return exc.response.status_code == 404 or name in ("RecordNotFound", "NotFound")


def _published(account: Account, rkey: str) -> Published:
    who = account.username or account.provider_account_id
    return Published(remote_id=rkey, url=f"{settings.BLUESKY_WEB_URL}/profile/{who}/post/{rkey}",
                     raw={"uri": at_uri(account, rkey)})


def at_uri(account: Account, rkey: str) -> str:
    return f"at://{account.provider_account_id}/{COLLECTION}/{rkey}"


def _now() -> str:
    return timezone.now().astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def facets(text: str) -> dict:
    """Links as link facets (Bluesky shows plain text otherwise), with UTF-8 byte offsets."""
    found = []
    for match in _LINK.finditer(text):
        start = len(text[: match.start()].encode())
        end = start + len(match.group(0).encode())
        found.append({
            "index": {"byteStart": start, "byteEnd": end},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": match.group(0)}],
        })
    return {"facets": found} if found else {}
