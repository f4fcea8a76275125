"""Tweets: create (with X's validation), look up, list a user's timeline, delete.

Ids are snowflake-like numeric strings. `public_metrics` are pseudo-random but deterministic per
tweet and grow with its age, so a metrics poller sees numbers move between polls.
"""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .auth import Identity
from .problems import forbidden, invalid_request, not_found_error, problem, service_unavailable
from .state import SandboxState, Tweet
from .text import MAX_PREMIUM_LENGTH, MAX_WEIGHTED_LENGTH, StoredText, store, weighted_length
from .web import Request, Response, json_response

MAX_MEDIA = 4
# X's wording, as tweepy users have recorded it from real 400 answers (docs/x-api.md).
TOO_LONG = ("Your Tweet text is too long. For more information on how Twitter determines text length "
            "see https://github.com/twitter/twitter-text.")
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
REPLY_MISSING = "You attempted to reply to a Tweet that is deleted or not visible to you."
NOT_SUMMONED = ("Reply to this conversation is not allowed because you have not been mentioned or otherwise "
                "engaged by the author of the post you are replying to.")


@dataclass
class NewTweet:
    text: str
    media_ids: list[str]
    reply_to: str | None
    quote_of: str | None


# ---- create -----------------------------------------------------------------------------------

def create(state: SandboxState, req: Request, ident: Identity) -> Response:
    """POST /2/tweets. Faults: tweet_fail_rate (503, nothing created), tweet_delay_ms (sleeps
    without the lock), tweet_lose_answer_rate (created, then the answer is dropped)."""
    new = _parse(req.json_object())
    delay_ms = state.faults.settings.tweet_delay_ms
    if delay_ms:
        time.sleep(delay_ms / 1000)
    if state.faults.roll("tweet_fail_rate"):
        raise service_unavailable()
    assert ident.user_id is not None
    tweet = _store(state, ident.user_id, new)
    shown = _shown(tweet)
    response = json_response(201, {"data": {"id": tweet.id, "text": shown.text, "edit_history_tweet_ids": [tweet.id]}})
    response.lose_answer = state.faults.roll("tweet_lose_answer_rate")
    return response


def _parse(payload: dict[str, Any]) -> NewTweet:
    """Validates the body's shape. Raises ApiError 400.

    `text` is required even with media: X's spec defaults it to "" "so it is always sent"; an SDK
    that omits it for a media-only post is refused.
    """
    if "text" not in payload:
        raise invalid_request("The `text` field is required; send \"\" for a media-only post.", {"text": []})
    text = payload["text"]
    if not isinstance(text, str):
        raise invalid_request("`text` must be a string.", {"text": [repr(text)]})
    media = payload.get("media") or {}
    media_ids = media.get("media_ids", []) if isinstance(media, dict) else None
    if not isinstance(media_ids, list) or not all(isinstance(m, str) and m.isdigit() for m in media_ids):
        raise invalid_request("`media.media_ids` must be a list of numeric strings.",
                              {"media.media_ids": [str(media_ids)]})
    if len(media_ids) > MAX_MEDIA:
        raise invalid_request(f"`media.media_ids` has more than {MAX_MEDIA} items.",
                              {"media.media_ids": media_ids})
    if not text and not media_ids:
        raise invalid_request("Either `text` or `media.media_ids` is required.", {"text": [""]})
    reply = payload.get("reply") or {}
    reply_to = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
    return NewTweet(text, media_ids, _optional_id(reply_to, "reply.in_reply_to_tweet_id"),
                    _optional_id(payload.get("quote_tweet_id"), "quote_tweet_id"))


def _optional_id(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.isdigit():
        raise invalid_request(f"`{name}` must be a numeric string.", {name: [str(value)]})
    return value


def _store(state: SandboxState, user_id: str, new: NewTweet) -> Tweet:
    """Checks what needs the state (length for this user, duplicates, media, referenced tweets) and
    saves the tweet as X stores it."""
    with state.lock:
        long = _check_length(state, user_id, new.text)
        _check_media(state, user_id, new.media_ids)
        _check_references(state, user_id, new)
        if new.text and _is_duplicate(state, user_id, new.text):
            raise problem(403, "Forbidden", DUPLICATE)
        stored = store(new.text, state.config.tco_url)
        cut = stored.cut() if long else stored
        tweet = Tweet(state.new_id(), user_id, stored.text, time.time(), list(new.media_ids),
                      new.reply_to, new.quote_of, posted_text=new.text, urls=stored.urls, long=long,
                      cut_text=cut.text, cut_urls=cut.urls)
        state.tweets[tweet.id] = tweet
        state.stats.tweets_by_user[user_id] += 1
        return tweet


def _check_length(state: SandboxState, user_id: str, text: str) -> bool:
    """True for a long (Premium) post. Raises 400 "too long" over 280, or over 25,000 for Premium."""
    length = weighted_length(text)
    if length <= MAX_WEIGHTED_LENGTH:
        return False
    if state.users[user_id].may_post_long and len(text) <= MAX_PREMIUM_LENGTH:
        return True
    raise invalid_request(TOO_LONG, {"text": [text]})


def _check_media(state: SandboxState, user_id: str, media_ids: list[str]) -> None:
    now = time.time()
    records = [state.media.get(media_id) for media_id in media_ids]
    if any(m is None or m.owner_id != user_id or m.state != "succeeded" or now >= m.expires_at for m in records):
        raise invalid_request("Your media IDs are invalid.", {"media.media_ids": media_ids})
    if len(records) > 1 and any(m is not None and m.category != "tweet_image" for m in records):
        raise invalid_request("A Tweet may carry up to 4 images, or 1 GIF, or 1 video.",
                              {"media.media_ids": media_ids})


def _check_references(state: SandboxState, user_id: str, new: NewTweet) -> None:
    if new.reply_to is not None and not _exists(state, new.reply_to):
        raise problem(403, "Forbidden", REPLY_MISSING)
    if new.reply_to is not None and state.faults.settings.reply_not_summoned and not _summoned(
            state, user_id, state.tweets[new.reply_to]):
        raise problem(403, "Forbidden", NOT_SUMMONED)
    if new.quote_of is not None and not _exists(state, new.quote_of):
        raise invalid_request("The Tweet to quote is deleted or not visible to you.",
                              {"quote_tweet_id": [new.quote_of]})


def _summoned(state: SandboxState, user_id: str, parent: Tweet) -> bool:
    """X lets an app reply only where the original author mentioned or engaged the replier: here,
    the replier wrote the parent (a thread), is @mentioned in it, or the parent replies to them."""
    if parent.author_id == user_id:
        return True
    mention = re.compile(rf"@{re.escape(state.users[user_id].username)}\b", re.IGNORECASE)
    if mention.search(parent.posted_text):
        return True
    grandparent = state.tweets.get(parent.reply_to or "")
    return grandparent is not None and grandparent.author_id == user_id


def _exists(state: SandboxState, tweet_id: str) -> bool:
    tweet = state.tweets.get(tweet_id)
    return tweet is not None and not tweet.deleted


def _is_duplicate(state: SandboxState, user_id: str, text: str) -> bool:
    """X compares with the author's existing tweets, trailing whitespace ignored."""
    wanted = text.rstrip()
    return any(t.author_id == user_id and not t.deleted and t.posted_text.rstrip() == wanted
               for t in state.tweets.values())


# ---- read and delete --------------------------------------------------------------------------

def lookup_many(state: SandboxState, req: Request, ident: Identity) -> Response:
    """GET /2/tweets?ids=1,2: found tweets in `data`, missing ones in `errors` (still a 200)."""
    ids = [i for i in req.query.get("ids", "").split(",") if i]
    if not 1 <= len(ids) <= 100 or not all(i.isdigit() for i in ids):
        raise invalid_request("`ids` must be 1 to 100 comma-separated numeric ids.", {"ids": ids})
    return json_response(200, _lookup(state, ids, requested_fields(req, "tweet.fields"), "ids"))


def lookup_one(state: SandboxState, req: Request, ident: Identity, tweet_id: str) -> Response:
    """GET /2/tweets/{id}. A missing tweet is a 200 with `errors`, as on X."""
    answer = _lookup(state, [tweet_id], requested_fields(req, "tweet.fields"), "id")
    if "data" in answer:
        answer["data"] = answer["data"][0]
    return json_response(200, answer)


def _lookup(state: SandboxState, ids: list[str], fields: set[str], parameter: str) -> dict[str, Any]:
    now = time.time()
    with state.lock:
        found = [render(state, state.tweets[i], fields, now) for i in ids if _exists(state, i)]
        missing = [i for i in ids if not _exists(state, i)]
    answer: dict[str, Any] = {}
    if found:
        answer["data"] = found
    if missing:
        answer["errors"] = [not_found_error("tweet", parameter, i) for i in missing]
    return answer


def delete(state: SandboxState, req: Request, ident: Identity, tweet_id: str) -> Response:
    """DELETE /2/tweets/{id}: only the author may delete."""
    with state.lock:
        tweet = state.tweets.get(tweet_id)
        if tweet is None or tweet.deleted:
            raise problem(404, "Not Found Error", f"Could not find tweet with id: [{tweet_id}].",
                          "https://api.x.com/2/problems/resource-not-found")
        if tweet.author_id != ident.user_id:
            raise forbidden("You are not allowed to delete this Tweet.")
        tweet.deleted = True
    return json_response(200, {"data": {"deleted": True}})


def requested_fields(req: Request, name: str) -> set[str]:
    """The fields asked for in `name`. X answers two dialects for posts: `tweet.fields` (spec 2.167,
    tweepy) and `post.fields` (xdk 0.10, with `note_post` for `note_tweet`); both are read."""
    names = (name, "post.fields") if name == "tweet.fields" else (name,)
    return {f.strip() for n in names for f in req.query.get(n, "").split(",") if f.strip()}


def _shown(tweet: Tweet) -> StoredText:
    """What `text` holds in answers: the stored text, cut for a long post."""
    return StoredText(tweet.cut_text, tweet.cut_urls) if tweet.long else StoredText(tweet.text, tweet.urls)


def render(state: SandboxState, tweet: Tweet, fields: set[str], now: float) -> dict[str, Any]:
    """A tweet as X's v2 answers show it: id, text, edit history, plus the requested fields."""
    shown = _shown(tweet)
    data: dict[str, Any] = {"id": tweet.id, "text": shown.text, "edit_history_tweet_ids": [tweet.id]}
    if "entities" in fields and shown.urls:
        data["entities"] = shown.entities()
    for note in ("note_tweet", "note_post"):
        if note in fields and tweet.long:
            whole = StoredText(tweet.text, tweet.urls)
            data[note] = {"text": whole.text, **({"entities": whole.entities()} if whole.urls else {})}
    if "created_at" in fields:
        data["created_at"] = iso_time(tweet.created_at)
    if "author_id" in fields:
        data["author_id"] = tweet.author_id
    if "public_metrics" in fields:
        data["public_metrics"] = public_metrics(state, tweet, now)
    if "attachments" in fields and tweet.media_ids:
        data["attachments"] = {"media_keys": [state.media[m].media_key for m in tweet.media_ids]}
    if "referenced_tweets" in fields and (tweet.reply_to or tweet.quote_of):
        data["referenced_tweets"] = ([{"type": "replied_to", "id": tweet.reply_to}] if tweet.reply_to else []) + (
            [{"type": "quoted", "id": tweet.quote_of}] if tweet.quote_of else [])
    if "in_reply_to_user_id" in fields and tweet.reply_to in state.tweets:
        data["in_reply_to_user_id"] = state.tweets[tweet.reply_to].author_id
    return data


def public_metrics(state: SandboxState, tweet: Tweet, now: float) -> dict[str, int]:
    """Deterministic for a tweet and an age; never decreasing as the tweet ages."""
    seed = int.from_bytes(hashlib.sha256(tweet.id.encode()).digest()[:4], "big")
    age = max(now - tweet.created_at, 0.0)
    impressions = int(age * (1 + seed % 20) / 4)
    likes = impressions // (8 + seed % 25)
    retweets = likes // (3 + seed % 4)
    replies = sum(t.reply_to == tweet.id and not t.deleted for t in state.tweets.values())
    quotes = sum(t.quote_of == tweet.id and not t.deleted for t in state.tweets.values())
    return {
        "retweet_count": retweets,  # the name in X's answers and tweepy's cassettes
        "repost_count": retweets,  # the same count under the spec's (v2.167) name
        "reply_count": replies + likes // (4 + seed % 6),
        "like_count": likes,
        "quote_count": quotes + retweets // (2 + seed % 3),
        "impression_count": impressions,
        "bookmark_count": likes // (5 + seed % 5),
    }


def iso_time(timestamp: float) -> str:
    """X's timestamp format: 2024-05-01T12:00:00.000Z."""
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
