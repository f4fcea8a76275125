"""Facebook Pages with plain requests (Meta's Python SDKs are stale): the Graph API at
FACEBOOK_GRAPH_URL/FACEBOOK_API_VERSION (old versions are retired on a schedule: keep it current),
page tokens read from /me/accounts after Facebook Login, posts, unpublished photo uploads (with
their alt text, alt_text_custom: graph-api/reference/photo), videos Facebook fetches from a URL of
ours (POST /{page-id}/videos with file_url and description, answering {"id": video id}:
graph-api/reference/page/videos), the page's published posts and videos (the lookups that settle a
lost answer), and one error mapping.

Facts (developers.facebook.com/docs/): pages/access-tokens (a page token read with a long-lived
user token does not expire, but can be revoked), pages-api/posts (POST /{page-id}/feed answers
{"id": "{page}_{post}"}; several photos: upload each with published=false, then attached_media),
graph-api/guides/error-handling ({"error": {message, type, code, error_subcode, is_transient,
fbtrace_id}}), graph-api/overview/rate-limiting (X-App-Usage, X-Page-Usage and
X-Business-Use-Case-Usage, the last two with estimated_time_to_regain_access in minutes).
Every call carries appsecret_proof (graph-api/securing-requests), so apps that require it work.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils import timezone

from socials.publishers import PublishError

from .. import common

log = logging.getLogger(__name__)

# Throttling codes: 4 app, 17 user, 32 page, 341 application limit, 613 calls within a period,
# 80000-80014 Business Use Case limits (80001 is Pages).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, *range(80000, 80015)})
# When no header says how long (X-App-Usage counts over a rolling hour but names no time).
DEFAULT_WAIT = dt.timedelta(minutes=10)
PERMISSION_CODES = frozenset({10, *range(200, 300)})
# A video Facebook could not fetch or read: 389 (unable to fetch the file from the URL), 351 (error
# loading the video), 352 (a format Facebook does not take), 6000 (a problem with the video file).
VIDEO_FILE_CODES = frozenset({351, 352, 389, 6000})
PAGES_LIMIT = 10  # pages of /me/accounts and of published_posts read at most


def graph_url(path: str) -> str:
    return f"{settings.FACEBOOK_GRAPH_URL}/{settings.FACEBOOK_API_VERSION}{path}"


def appsecret_proof(token: str) -> str:
    return hmac.new(settings.FACEBOOK_APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()


class Graph:
    """Calls with one token (a user's or a page's). Raises PublishError (see `error`)."""

    def __init__(self, token: str, *, account=None, timeout: float | None = None):
        self.token, self.account = token, account
        self.timeout = timeout or settings.FACEBOOK_TIMEOUT
        self.session = requests.Session()

    def call(self, method: str, path: str, *, doing: str, sent: bool = False, params=None, data=None,
             files=None) -> dict:
        url = path if path.startswith("http") else graph_url(path)
        auth = {"access_token": self.token, "appsecret_proof": appsecret_proof(self.token)}
        if method == "GET":
            params = {**(params or {}), **auth}
        else:
            data = {**(data or {}), **auth}
        try:
            answer = self.session.request(method, url, params=params, data=data, files=files, timeout=self.timeout)
        except requests.Timeout as exc:
            raise common.retry("timeout", f"Facebook did not answer while {doing}", outcome_unknown=sent) from exc
        except requests.RequestException as exc:
            raise common.retry("connection", f"Facebook could not be reached while {doing}",
                               outcome_unknown=sent) from exc
        try:
            body = answer.json()
        except ValueError:
            body = {}
        if answer.status_code >= 400 or "error" in body:
            raise error(answer, body, doing=doing, sent=sent, account=self.account)
        return body

    def pages(self, path: str, *, doing: str, params: dict) -> list[dict]:
        """Every item of a paged list (following paging.next, at most PAGES_LIMIT pages)."""
        items, url = [], path
        for _ in range(PAGES_LIMIT):
            body = self.call("GET", url, doing=doing, params=params)
            items += [item for item in body.get("data") or [] if isinstance(item, dict)]
            url, params = (body.get("paging") or {}).get("next"), {}
            if not url:
                break
        return items

    # --- connecting

    def long_lived(self) -> str:
        """This short-lived user token exchanged for a long-lived one (about 60 days): page tokens
        read with it do not expire."""
        body = self.call("GET", "/oauth/access_token", doing="finishing the sign-in", params={
            "grant_type": "fb_exchange_token", "client_id": settings.FACEBOOK_APP_ID,
            "client_secret": settings.FACEBOOK_APP_SECRET, "fb_exchange_token": self.token})
        return str(body["access_token"])

    def managed_pages(self) -> list[dict]:
        """The pages this person manages: [{id, name, access_token, tasks}, ...]."""
        return self.pages("/me/accounts", doing="reading your Facebook Pages",
                          params={"fields": "id,name,username,access_token,tasks", "limit": 100})

    def page(self, page_id: str) -> dict:
        return self.call("GET", f"/{page_id}", doing="reading the Page", params={"fields": "id,name,username"})

    # --- publishing

    def upload_photo(self, page_id: str, *, data: bytes, mime_type: str, alt_text: str = "") -> str:
        """An unpublished photo of the page (published=false), for attached_media, with the alt text
        screen readers read out (alt_text_custom) when given. Its id."""
        fields = {"published": "false", **({"alt_text_custom": alt_text} if alt_text else {})}
        body = self.call("POST", f"/{page_id}/photos", doing="uploading a photo", data=fields,
                         files={"source": ("photo", data, mime_type)})
        return str(body["id"])

    def create_video(self, page_id: str, *, description: str, file_url: str) -> str:
        """POST /{page-id}/videos: a published video post that Facebook fetches from `file_url`
        (one call, which makes the post); the new video's id."""
        try:
            body = self.call("POST", f"/{page_id}/videos", doing="posting the video", sent=True,
                             data={"file_url": file_url, "description": description, "published": "true"})
        except PublishError as exc:
            if exc.details.get("code") in VIDEO_FILE_CODES:
                raise video_fetch_failed(file_url, exc.user_message) from exc
            raise
        if not body.get("id"):
            raise common.retry("server", "Facebook answered without the new video's id", outcome_unknown=True)
        return str(body["id"])

    def create_post(self, page_id: str, *, message: str, photo_ids: list[str], link: str = "") -> str:
        """POST /{page-id}/feed; the new post's id ("{page}_{post}")."""
        data = {"message": message}
        for i, photo_id in enumerate(photo_ids):
            data[f"attached_media[{i}]"] = json.dumps({"media_fbid": photo_id})
        if link and not photo_ids:
            data["link"] = link
        body = self.call("POST", f"/{page_id}/feed", doing="posting", sent=True, data=data)
        if not body.get("id"):
            raise common.retry("server", "Facebook answered without the new post's id", outcome_unknown=True)
        return str(body["id"])

    def published_posts(self, page_id: str, *, since: dt.datetime | None) -> list[dict]:
        """The page's posts (newest first), created since `since` when given."""
        params = {"fields": "id,message,created_time", "limit": 100}
        if since:
            params["since"] = int(since.timestamp())
        return self.pages(f"/{page_id}/published_posts", doing="reading the Page's posts", params=params)

    def videos(self, page_id: str, *, since: dt.datetime | None) -> list[dict]:
        """The page's own videos (type=uploaded), newest first, created since `since` when given. A
        video is listed here as soon as it exists, before its post reaches the page's feed (which
        waits for Facebook to process the video)."""
        params = {"type": "uploaded", "fields": "id,description,created_time", "limit": 100}
        if since:
            params["since"] = int(since.timestamp())
        return self.pages(f"/{page_id}/videos", doing="reading the Page's videos", params=params)


def error(answer: requests.Response, body: dict, *, doing: str, sent: bool = False, account=None) -> PublishError:
    """Graph's {"error": {...}} as the engine's kinds."""
    err = body.get("error") if isinstance(body.get("error"), dict) else {}
    code, subcode = _int(err.get("code")), _int(err.get("error_subcode"))
    message = str(err.get("error_user_msg") or err.get("message") or answer.reason or answer.status_code)
    status = answer.status_code
    details = {"code": code, "subcode": subcode}
    if code in RATE_LIMIT_CODES or status == 429:
        retry_at = regain_access_at(answer.headers)
        return common.wait_until(f"Facebook's rate limit: waiting until {retry_at:%Y-%m-%d %H:%M} UTC", retry_at)
    if code in (102, 190) or status == 401:
        # 190 with subcodes 458 (app removed), 460 (password changed), 463 (expired), 467 (invalid).
        return common.reconnect(account, "Facebook no longer accepts SocialHub's access to this Page "
                                         f"(the token expired or was revoked): reconnect it. Facebook says: {message}")
    if code == 506:
        return PublishError("duplicate", f"Facebook calls it a duplicate: {message}", permanent=True)
    if code in (1, 2) or err.get("is_transient") or status >= 500:
        return common.retry("server", f"Facebook failed ({message}) while {doing}", outcome_unknown=sent)
    if code in PERMISSION_CODES:
        return common.permanent("forbidden", f"Facebook refused it ({message}): reconnect the Page and allow "
                                             "SocialHub to publish there")
    if code == 368:
        return common.permanent("forbidden", f"Facebook blocked it as against its policies: {message}")
    if code == 324 or subcode == 2069019:
        return common.permanent("media", f"Facebook refused the photo: {message}")
    if status == 404 or code == 803 or subcode == 33:  # 33: the object does not exist (or is not shown)
        return common.permanent("not_found", f"Facebook does not know it: {message}")
    if code in VIDEO_FILE_CODES:
        return PublishError("media", f"Facebook refused the video: {message}", permanent=True, details=details)
    return common.permanent("bad_request", f"Facebook refused it: {message}")


def video_fetch_failed(file_url: str, detail: str) -> PublishError:
    """Facebook could not fetch or read the video at our signed link: say where it looked."""
    parts = urlsplit(file_url)
    return common.permanent("media", f"Facebook could not fetch the video at {parts.scheme}://{parts.netloc}{parts.path} "
                                     f"({detail}): SITE_URL ({settings.SITE_URL}) must be reachable from the internet")


def regain_access_at(headers) -> dt.datetime:
    """When Facebook lets calls through again: the longest estimated_time_to_regain_access (minutes)
    in X-Business-Use-Case-Usage or X-Page-Usage, else DEFAULT_WAIT."""
    minutes = 0
    for name in ("X-Business-Use-Case-Usage", "X-Page-Usage"):
        minutes = max([minutes, *_regain_minutes(headers.get(name))])
    return timezone.now() + (dt.timedelta(minutes=minutes) if minutes else DEFAULT_WAIT)


def _regain_minutes(raw: str | None) -> list[int]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return []
    if not isinstance(value, dict):
        return []
    # X-Business-Use-Case-Usage: {"<business id>": [{"type", "call_count", ..., "estimated_time_to_regain_access"}]}
    entries = [value] if "estimated_time_to_regain_access" in value else [
        entry for group in value.values() if isinstance(group, list) for entry in group if isinstance(entry, dict)]
    return [_int(entry.get("estimated_time_to_regain_access")) for entry in entries]


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
