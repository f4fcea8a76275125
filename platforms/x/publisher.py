"""X's publisher: posts, replies, media uploads and the timeline lookup after a lost answer, with the
account's user-context tokens (tokens.call_x). Every failure is the engine's PublishError."""

from __future__ import annotations

import datetime as dt
import html
import re
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import IO

from django.conf import settings
from django.utils import timezone
from twitter_text.extract_urls import extract_urls_with_indices

from socials.error_kinds import NOT_CONNECTED, ErrorKind, too_long
from socials.models import Account
from socials.publishers import AttemptKey, MediaFile, Published, PublishError, UploadedMedia

from .client import XClient, XError
from .text import weighted_length
from .tokens import AccountUnusable, call_x

# The seed's answer when an account has only an app bearer token, word for word.
APP_ONLY_MESSAGE = "Twitter posting requires OAuth 1.0a or OAuth 2.0 User Context authentication"


def app_only_details(text: str) -> dict:
    """The seed's `details` for APP_ONLY_MESSAGE."""
    return {
        "current_authentication": "Bearer Token (Application-Only)",
        "required_authentication": "OAuth 1.0a or OAuth 2.0 User Context",
        "tweet_data": {"text": text},
        "action_required": "Implement proper OAuth authentication flow for posting",
    }


def _publish_error(exc: XError, *, outcome_matters: bool = True) -> PublishError:
    return PublishError(
        exc.kind,
        exc.user_message,
        permanent=exc.permanent,
        outcome_unknown=exc.outcome_unknown and outcome_matters,
        retry_at=exc.reset_at,
    )


MEDIA_CATEGORIES = {"image": "tweet_image", "gif": "tweet_gif", "video": "tweet_video"}
# When X does not say how long it keeps media, assume an hour (it documents a day for most).
DEFAULT_MEDIA_LIFETIME = dt.timedelta(hours=1)
# Clocks differ between us and X: a tweet a little older than our first attempt may be ours.
CLOCK_SKEW = dt.timedelta(minutes=2)
# The lookup reads only tweets created since the channel's first attempt, 100 a page, and at
# most this many pages: every post read is billed under pay-per-use (x-api/fundamentals/post-cap.mdx).
LOOKUP_PAGE_SIZE = 100
LOOKUP_PAGES = 5  # without a first attempt to start from (never expected): the newest page only
# entities and note_tweet: X stores text escaped, with every link (bare domains too) as a t.co
# link listed in entities.urls, and a long post cut in `text`, whole in note_tweet.text.
# referenced_tweets tells which tweet a reply answers: a thread's part is found only in its place.
TIMELINE_FIELDS = "created_at,entities,note_tweet,referenced_tweets"


def _comparable(text: str) -> str:
    """Our text in the form _stored_text gives back X's: NFC, each link (bare domains too,
    found as X finds them, by twitter-text's rules) reduced to its host and path, runs of white
    space as one space."""
    text = unicodedata.normalize("NFC", text or "")
    pieces, last = [], 0
    for found in extract_urls_with_indices(text):
        start, end = found["indices"]
        pieces += [text[last:start], _link_key(found["url"])]
        last = end
    pieces.append(text[last:])
    return " ".join("".join(pieces).split())


def _stored_text(tweet: dict) -> str:
    """X's stored text made comparable with ours: the whole text (note_tweet for a long post),
    HTML-unescaped (X escapes &, < and >), each t.co link mapped back through entities.urls to
    the link it stands for, and the t.co link X appends for attached media dropped."""
    note = tweet.get("note_tweet") if isinstance(tweet.get("note_tweet"), dict) else None
    source = note if note and note.get("text") else tweet
    text = str(source.get("text") or "")
    entities = source.get("entities") if isinstance(source.get("entities"), dict) else {}
    links = {}
    for entity in entities.get("urls") or []:
        if isinstance(entity, dict) and entity.get("url"):
            media = entity.get("media_key") or str(entity.get("display_url", "")).startswith(("pic.x.com", "pic.twitter.com"))
            links[str(entity["url"])] = "" if media else str(entity.get("expanded_url") or entity["url"])
    text = _TCO.sub(lambda m: links.get(m.group(0), m.group(0)), html.unescape(text))
    return _comparable(text)


def _link_key(url: str) -> str:
    """A link as both sides can agree on it: X adds "http://" to a bare domain and may add a
    trailing slash, so compare without scheme, "www." and trailing slash, the host lower-cased."""
    rest = _SCHEME.sub("", url.strip())
    host, slash, path = rest.partition("/")
    host = host.lower().removeprefix("www.")
    return (host + slash + path).rstrip("/")


_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_TCO = re.compile(r"https?://t\.co/[A-Za-z0-9]+")


def _created_at(tweet: dict) -> dt.datetime | None:
    raw = tweet.get("created_at")
    if not raw:
        return None
    try:
        return dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None


def _replies_to(tweet: dict, tweet_id: str) -> bool:
    refs = tweet.get("referenced_tweets") or []
    return any(r.get("type") == "replied_to" and str(r.get("id")) == str(tweet_id) for r in refs if isinstance(r, dict))


class _HeartbeatReader:
    """A file wrapper that calls `heartbeat` as the upload reads it, so long uploads keep the lease."""

    def __init__(self, fileobj: IO[bytes], heartbeat: Callable[[], None]):
        self.fileobj, self.heartbeat = fileobj, heartbeat

    def read(self, size: int = -1) -> bytes:
        self.heartbeat()
        return self.fileobj.read(size)


class XPublisher:
    """Publishes to X with the account's user-context tokens (platforms.x.tokens.call_x)."""

    provider = "twitter"
    post_options = True  # takes X's CreatePostsRequest options (posts/options.py)

    def check(self, account: Account, *, text: str) -> None:
        if account.token_type == Account.TokenType.BEARER:
            raise PublishError(ErrorKind.APP_ONLY, APP_ONLY_MESSAGE, details=app_only_details(text))
        if account.state == Account.State.DISCONNECTED:
            raise PublishError(ErrorKind.NOT_CONNECTED, NOT_CONNECTED)
        if account.state == Account.State.RECONNECT_NEEDED:
            raise PublishError(ErrorKind.AUTH, account.state_message or "Reconnect your X account")

    def length_problem(self, account: Account, text: str) -> str:
        """X's weighted 280, or 25,000 for a Premium account (Account.max_weighted_length)."""
        limit = account.max_weighted_length
        return too_long(limit) if weighted_length(text) > limit else ""

    def media_problem(self, account: Account, media: Sequence) -> str:
        return ""  # X's media rules are the ones posts.media.check_media applies to every upload

    def thread_problem(self, account: Account, parts: int) -> str:
        return ""  # the engine caps a thread at 25 parts for every platform

    def upload_media(
        self, account: Account, files: Sequence[MediaFile], *, heartbeat: Callable[[], None]
    ) -> UploadedMedia:
        ids: list[str] = []
        expires_at = timezone.now() + dt.timedelta(days=365)
        for item in files:
            media_id, item_expires = self._upload_one(account, item, heartbeat)
            ids.append(media_id)
            expires_at = min(expires_at, item_expires)
        return UploadedMedia(ids=ids, expires_at=expires_at)

    def _upload_one(
        self, account: Account, item: MediaFile, heartbeat: Callable[[], None]
    ) -> tuple[str, dt.datetime]:
        started = timezone.now()

        def poll(seconds: float) -> None:
            heartbeat()
            time.sleep(seconds)

        def upload(client: XClient) -> tuple[str, dt.datetime]:
            with item.open() as fileobj:
                media_id = client.upload_media(
                    _HeartbeatReader(fileobj, heartbeat),
                    media_type=item.mime_type,
                    total_bytes=item.size,
                    media_category=MEDIA_CATEGORIES[item.kind],
                    poll=poll,
                )
            if item.alt_text:
                client.set_alt_text(media_id, item.alt_text)
            return media_id, client.last_media_expires_at or started + DEFAULT_MEDIA_LIFETIME

        try:
            return call_x(account, upload)
        except XError as exc:
            # An upload that may have happened is only wasted, never harmful: no reconcile needed.
            raise _publish_error(exc, outcome_matters=False) from exc
        except AccountUnusable as exc:
            raise PublishError(exc.kind, exc.user_message) from exc

    def publish(
        self,
        account: Account,
        *,
        text: str,
        media_ids: Sequence[str],
        reply_to: str | None = None,
        timeout: tuple[float, float] | None = None,
        key: AttemptKey | None = None,  # X has no idempotency key: find() reads the timeline
        options: Mapping | None = None,
    ) -> Published:
        def create(client: XClient) -> dict:
            return client.create_tweet(text, media_ids=media_ids, reply_to=reply_to, options=options)

        try:
            data = call_x(account, create, timeout=timeout)
        except XError as exc:
            raise _publish_error(exc) from exc
        except AccountUnusable as exc:
            raise PublishError(exc.kind, exc.user_message) from exc
        return Published(remote_id=str(data["id"]), url=self.url(account, str(data["id"])), raw=data)

    def find(
        self, account: Account, *, text: str, since: dt.datetime | None, reply_to: str | None = None,
        key: AttemptKey | None = None,
    ) -> Published | None:
        start = (since - CLOCK_SKEW) if since else None

        def recent(client: XClient) -> list[dict]:
            user_id = account.provider_account_id or str(client.get_me()["id"])
            return client.user_tweets(
                user_id, start_time=start, max_results=LOOKUP_PAGE_SIZE, tweet_fields=TIMELINE_FIELDS,
                pages=LOOKUP_PAGES if start else 1,
            )

        try:
            tweets = call_x(account, recent)
        except XError as exc:
            raise _publish_error(exc, outcome_matters=False) from exc
        except AccountUnusable as exc:
            raise PublishError(exc.kind, exc.user_message) from exc
        wanted = _comparable(text)
        for tweet in tweets:  # newest first
            created = _created_at(tweet)
            if start and created and created < start:
                continue  # an older identical tweet is not this attempt's
            if reply_to and not _replies_to(tweet, reply_to):
                continue  # a thread's part is the reply to the part before, not the same text elsewhere
            if _stored_text(tweet) == wanted:
                return Published(remote_id=str(tweet["id"]), url=self.url(account, str(tweet["id"])), raw=tweet)
        return None

    @staticmethod
    def url(account: Account, tweet_id: str) -> str:
        who = account.username or "i/web"
        return f"{settings.X_WEB_URL}/{who}/status/{tweet_id}"
