"""Instagram (professional accounts) with plain requests, through Instagram Login: the authorize
page, the code exchanged for a short-lived token, that token for a 60-day one (ig_exchange_token),
refreshed on use once it is past a day old (ig_refresh_token); the Graph API for the account
(/me), media containers, media_publish, the publishing quota and the account's media; and one
error mapping. Every URL and the Graph version come from settings.

Facts: ../shared/PLATFORMS.md, from developers.facebook.com/docs/instagram-platform/
(instagram-api-with-instagram-login/business-login, content-publishing) and graph-api/guides/
error-handling ({"error": {message, type, code, error_subcode, is_transient, fbtrace_id}}).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from urllib.parse import urlencode, urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from socials.publishers import PublishError

from .. import common

log = logging.getLogger(__name__)

# Refresh a 60-day token on use once fewer than this many days remain (Instagram refreshes a token
# only once it is at least a day old: with 30 days left it always is).
REFRESH_WITHIN = dt.timedelta(days=30)
# Graph error codes (graph-api/guides/error-handling, instagram-platform/.../error-codes).
THROTTLED = {4, 17, 32, 613}
PUBLISHING_LIMIT = 2207042  # error_subcode: the posts-per-24-hours quota is spent
FETCH_FAILED = {2207052, 2207003}  # the media could not be fetched (or timed out) from its URL
TOKEN_INVALID = 190
OBJECT_MISSING = 33  # error_subcode (with code 100): the object does not exist, or is not shown to this token


def authorize_url(*, state: str, redirect_uri: str) -> str:
    query = {"client_id": settings.INSTAGRAM_CLIENT_ID, "redirect_uri": redirect_uri, "response_type": "code",
             "scope": settings.INSTAGRAM_SCOPES, "state": state}
    return f"{settings.INSTAGRAM_AUTH_URL}/oauth/authorize?{urlencode(query)}"


def _request(method: str, url: str, *, doing: str, sent: bool = False, account=None, media_url: str = "",
             **kwargs) -> dict:
    try:
        answer = requests.request(method, url, timeout=settings.INSTAGRAM_TIMEOUT, **kwargs)
    # "from None": requests' own message holds the URL, whose query holds the access token.
    except requests.Timeout:
        raise common.retry("timeout", f"Instagram did not answer while {doing}", outcome_unknown=sent) from None
    except requests.RequestException:
        raise common.retry("connection", f"Instagram could not be reached while {doing}", outcome_unknown=sent) from None
    if answer.status_code >= 400:
        raise error(answer, doing=doing, sent=sent, account=account, media_url=media_url)
    try:
        body = answer.json()
    except ValueError:
        raise common.retry("server", f"Instagram answered without JSON while {doing}", outcome_unknown=sent) from None
    return body if isinstance(body, dict) else {"data": body}


def exchange_code(code: str, redirect_uri: str) -> dict:
    """The code for a short-lived token, then that for a 60-day one, and who it belongs to (/me).
    Returns {"access_token", "expires_at", "user_id", "username", "name", "scope"}. Raises PublishError."""
    short = _request("POST", f"{settings.INSTAGRAM_TOKEN_URL}/oauth/access_token", doing="finishing the sign-in", data={
        "client_id": settings.INSTAGRAM_CLIENT_ID, "client_secret": settings.INSTAGRAM_CLIENT_SECRET,
        "grant_type": "authorization_code", "redirect_uri": redirect_uri, "code": code})
    short = (short.get("data") or [short])[0]  # newer answers wrap it in "data"
    long = _request("GET", f"{settings.INSTAGRAM_GRAPH_URL}/access_token", doing="getting a 60-day token", params={
        "grant_type": "ig_exchange_token", "client_secret": settings.INSTAGRAM_CLIENT_SECRET,
        "access_token": short["access_token"]})
    me = Instagram(long["access_token"]).me()
    permissions = short.get("permissions") or settings.INSTAGRAM_SCOPES
    return {"access_token": long["access_token"], "expires_at": _expires_at(long),
            "user_id": str(me.get("user_id") or me.get("id") or short.get("user_id") or ""),
            "username": str(me.get("username") or ""), "name": str(me.get("name") or ""),
            "scope": ",".join(permissions) if isinstance(permissions, list) else str(permissions)}


def _expires_at(token: dict) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=int(token.get("expires_in") or 60 * 86400))


def for_account(account) -> Instagram:
    """The account's API, its token refreshed first when fewer than 30 days remain (under the
    account's row lock, once across workers). Raises PublishError (reconnect when it has ended)."""
    if not account.oauth2_access_token:
        raise common.reconnect(account, "This Instagram account has no token: connect it again")
    now = timezone.now()
    if account.expires_at and account.expires_at <= now:
        raise common.reconnect(account, "Instagram's 60-day access ended: reconnect the account")
    if account.expires_at and account.expires_at - now < REFRESH_WITHIN:
        refresh(account)
    return Instagram(account.oauth2_access_token, account=account)


def refresh(account) -> None:
    """GET /refresh_access_token (ig_refresh_token): 60 more days, stored at once. A refusal means
    "reconnect needed"; any other failure leaves the old token, which still has weeks to run."""
    from socials.account_state import lock_account

    refused = False
    with transaction.atomic():
        locked = lock_account(account.pk)
        if locked.oauth2_access_token == account.oauth2_access_token:  # else another worker did it
            try:
                token = _request("GET", f"{settings.INSTAGRAM_GRAPH_URL}/refresh_access_token",
                                 doing="renewing the 60-day token",
                                 params={"grant_type": "ig_refresh_token", "access_token": locked.oauth2_access_token})
            except PublishError as exc:
                if exc.kind != "auth":
                    log.warning("Renewing Instagram account %s's token failed (%s); trying again on next use",
                                account.pk, exc.kind)
                    return
                refused = True
            else:
                locked.oauth2_access_token, locked.expires_at = token["access_token"], _expires_at(token)
                locked.last_refreshed_at = timezone.now()
                locked.save(update_fields=["oauth2_access_token", "expires_at", "last_refreshed_at", "updated_at"])
    if refused:  # outside the transaction, so the state change is kept
        raise common.reconnect(account, "Instagram no longer accepts SocialHub's access: reconnect the account")
    account.oauth2_access_token, account.expires_at = locked.oauth2_access_token, locked.expires_at


class Instagram:
    """One account's Graph calls (graph.instagram.com/<version>). Raises PublishError (see `error`)."""

    def __init__(self, access_token: str, *, account=None):
        self.token, self.account = access_token, account
        self.base = f"{settings.INSTAGRAM_GRAPH_URL}/{settings.INSTAGRAM_GRAPH_VERSION}"

    def _call(self, method: str, path: str, *, doing: str, sent: bool = False, media_url: str = "", **params) -> dict:
        params["access_token"] = self.token
        where = {"params": params} if method == "GET" else {"data": params}
        return _request(method, f"{self.base}{path}", doing=doing, sent=sent, account=self.account,
                        media_url=media_url, **where)

    def me(self) -> dict:
        return self._call("GET", "/me", doing="reading the account", fields="user_id,username,name,account_type")

    def create_container(self, user_id: str, *, doing: str = "creating the media container", media_url: str = "",
                         **fields) -> str:
        """POST /{ig-user-id}/media: a container (an image, a reel, a carousel item or a carousel).
        Instagram fetches `image_url`/`video_url` itself. Returns the container's id."""
        answer = self._call("POST", f"/{user_id}/media", doing=doing, media_url=media_url,
                            **{k: v for k, v in fields.items() if v not in (None, "")})
        return str(answer["id"])

    def container(self, container_id: str) -> dict:
        """status_code (FINISHED, IN_PROGRESS, ERROR, EXPIRED, PUBLISHED) and status (why)."""
        return self._call("GET", f"/{container_id}", doing="reading the media container", fields="id,status_code,status")

    def publish(self, user_id: str, container_id: str) -> str:
        """POST /{ig-user-id}/media_publish. Returns the new media's id."""
        answer = self._call("POST", f"/{user_id}/media_publish", doing="publishing", sent=True, creation_id=container_id)
        return str(answer["id"])

    def media(self, media_id: str) -> dict:
        return self._call("GET", f"/{media_id}", doing="reading the post", fields="id,permalink,timestamp")

    def counts(self, media_id: str) -> dict:
        return self._call("GET", f"/{media_id}", doing="reading a post's counts", fields="like_count,comments_count")

    def recent_media(self, user_id: str, *, limit: int = 25) -> list[dict]:
        """The account's newest media, newest first."""
        answer = self._call("GET", f"/{user_id}/media", doing="reading the account's posts",
                            fields="id,caption,timestamp,permalink", limit=limit)
        return list(answer.get("data") or [])

    def publishing_quota(self, user_id: str) -> tuple[int, int]:
        """(used, allowed) of the posts-per-24-hours quota (content_publishing_limit)."""
        answer = self._call("GET", f"/{user_id}/content_publishing_limit", doing="reading the publishing quota",
                            fields="quota_usage,config")
        row = (answer.get("data") or [{}])[0]
        return int(row.get("quota_usage") or 0), int((row.get("config") or {}).get("quota_total") or 100)


def shown(url: str) -> str:
    """A media URL without its query (the signature), for messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def fetch_failed(media_url: str, detail: str = "") -> PublishError:
    because = f" ({detail})" if detail else ""
    return common.permanent("media", f"Instagram could not fetch the image at {shown(media_url)}{because}: "
                                     f"SITE_URL ({settings.SITE_URL}) must be reachable from the internet")


def error(answer: requests.Response, *, doing: str, sent: bool = False, account=None, media_url: str = "") -> PublishError:
    """A Graph error ({"error": {message, code, error_subcode, is_transient}}) as the engine's kinds."""
    try:
        body = answer.json().get("error") or {}
    except (ValueError, AttributeError):
        body = {}
    code, subcode = _int(body.get("code")), _int(body.get("error_subcode"))
    message = str(body.get("error_user_msg") or body.get("message") or answer.reason or answer.status_code)
    status = answer.status_code
    if code == TOKEN_INVALID or status == 401:
        return common.reconnect(account, "Instagram no longer accepts SocialHub's access (expired or revoked): "
                                         "reconnect the account")
    if subcode == PUBLISHING_LIMIT:
        when = common.not_before(None, default_seconds=3600)
        return common.wait_until(f"Instagram's limit of posts per 24 hours is reached: waiting until "
                                 f"{when:%Y-%m-%d %H:%M} UTC", when)
    if code in THROTTLED or status == 429:
        when = common.not_before(_regain_access(answer), default_seconds=600)
        return common.wait_until(f"Instagram's rate limit: waiting until {when:%H:%M} UTC", when)
    if subcode in FETCH_FAILED and media_url:
        return fetch_failed(media_url, message)
    if body.get("is_transient") or code in (1, 2) or status >= 500:
        return common.retry("server", f"Instagram failed ({message}) while {doing}", outcome_unknown=sent)
    if code == 10 or 200 <= (code or 0) <= 299 or code == 368:
        return common.permanent("forbidden", f"Instagram refused it ({message}): the connection may lack a permission")
    if code == 100 and subcode == OBJECT_MISSING:
        return common.permanent("not_found", f"Instagram does not know it: {message}")
    return common.permanent("bad_request", f"Instagram refused it: {message}")


def _regain_access(answer: requests.Response) -> dt.datetime | None:
    """estimated_time_to_regain_access (minutes) in X-Business-Use-Case-Usage, as a time."""
    try:
        usage = json.loads(answer.headers.get("X-Business-Use-Case-Usage") or "{}")
        minutes = max(int(row.get("estimated_time_to_regain_access") or 0)
                      for rows in usage.values() for row in rows)
    except (ValueError, TypeError, AttributeError):
        return None
    return timezone.now() + dt.timedelta(minutes=minutes) if minutes else None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
