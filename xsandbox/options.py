"""The options of POST /2/tweets beyond text, media and reply, checked as X's spec describes them.

Spec: xdevplatform/xdk specs/openapi.json v2.167, `CreatePostsRequest` (additionalProperties false)
and `CreatePostsPoll`:

- `poll`: {options: 2-4 strings of 1-25 characters, duration_minutes: 5-10080, reply_settings?};
- `reply_settings`: one of following, mentionedUsers, subscribers, verified ("everyone" is the
  field left out);
- `quote_tweet_id`, `community_id`: ^[0-9]{1,19}$; `share_with_followers`, `made_with_ai`,
  `paid_partnership`, `nullcast`, `for_super_followers_only`: booleans;
- media, poll, quote_tweet_id and card_uri are mutually exclusive (the spec's descriptions of
  TweetCreateRequest: "This is mutually exclusive from Quote Tweet Id, Poll, and Card URI").

Answers are X's generic 400 ("Invalid Request", the specifics in `errors`), with messages in the
style of the JSON-schema validator X runs on request bodies ("$.poll.options: ...").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .problems import invalid_request

ID_RE = re.compile(r"^[0-9]{1,19}$")
REPLY_SETTINGS = ("following", "mentionedUsers", "subscribers", "verified")
POLL_OPTIONS = (2, 4)
POLL_OPTION_LENGTH = (1, 25)
POLL_MINUTES = (5, 10080)
BOOLEANS = ("made_with_ai", "paid_partnership", "share_with_followers", "nullcast", "for_super_followers_only")
STRINGS = ("card_uri", "direct_message_deep_link")
OBJECTS = ("edit_options", "geo")
# Every property of CreatePostsRequest (v2.167); anything else is refused.
KNOWN = {"text", "media", "reply", "poll", "reply_settings", "quote_tweet_id", "community_id",
         *BOOLEANS, *STRINGS, *OBJECTS}
EXCLUSIVE = ("media", "poll", "quote_tweet_id", "card_uri")


@dataclass
class Poll:
    options: list[str]
    duration_minutes: int


@dataclass
class Options:
    """What a create request asked for besides text, media and the reply."""

    poll: Poll | None = None
    reply_settings: str | None = None  # None: everyone
    community_id: str | None = None
    share_with_followers: bool = False
    made_with_ai: bool = False
    paid_partnership: bool = False
    nullcast: bool = False
    for_super_followers_only: bool = False
    card_uri: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "poll": {"options": list(self.poll.options), "duration_minutes": self.poll.duration_minutes}
            if self.poll else None,
            "reply_settings": self.reply_settings or "everyone",
            "community_id": self.community_id, "share_with_followers": self.share_with_followers,
            "made_with_ai": self.made_with_ai, "paid_partnership": self.paid_partnership,
        }


def _bad(path: str, message: str, value: Any) -> Exception:
    return invalid_request(f"$.{path}: {message}", {path: [str(value)]})


def parse(payload: dict[str, Any]) -> Options:
    """The options of a CreatePostsRequest body. Raises ApiError 400 for a property the spec does
    not have, a value of the wrong type or out of range, or exclusive properties together."""
    for name in sorted(set(payload) - KNOWN):
        raise _bad(name, "is not defined in the schema and the schema does not allow additional properties",
                   payload[name])
    present = [name for name in EXCLUSIVE if _given(payload, name)]
    if len(present) > 1:
        raise invalid_request(
            f"{', '.join(present[:-1])} and {present[-1]} cannot be combined: media, poll, quote_tweet_id "
            "and card_uri are mutually exclusive.", {name: [] for name in present})
    options = Options()
    for name in BOOLEANS:
        if name in payload:
            if not isinstance(payload[name], bool):
                raise _bad(name, f"{type(payload[name]).__name__} found, boolean expected", payload[name])
            setattr(options, name, payload[name])
    for name in STRINGS:
        if name in payload and not isinstance(payload[name], str):
            raise _bad(name, f"{type(payload[name]).__name__} found, string expected", payload[name])
    options.card_uri = payload.get("card_uri")
    if "reply_settings" in payload:
        options.reply_settings = _reply_settings(payload["reply_settings"], "reply_settings")
    if "community_id" in payload:
        options.community_id = _id(payload["community_id"], "community_id")
    if "poll" in payload:
        options.poll = _poll(payload["poll"])
    return options


def _given(payload: dict[str, Any], name: str) -> bool:
    value = payload.get(name)
    if name == "media":
        return isinstance(value, dict) and bool(value.get("media_ids"))
    return value is not None


def _reply_settings(value: Any, path: str) -> str:
    if value not in REPLY_SETTINGS:
        raise _bad(path, f"does not have a value in the enumeration [{', '.join(REPLY_SETTINGS)}]", value)
    return value


def _id(value: Any, path: str) -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise _bad(path, "does not match the regex pattern ^[0-9]{1,19}$", value)
    return value


def _poll(value: Any) -> Poll:
    if not isinstance(value, dict):
        raise _bad("poll", f"{type(value).__name__} found, object expected", value)
    for name in sorted(set(value) - {"options", "duration_minutes", "reply_settings"}):
        raise _bad(f"poll.{name}", "is not defined in the schema and the schema does not allow additional "
                   "properties", value[name])
    for name in ("options", "duration_minutes"):
        if name not in value:
            raise _bad("poll", f"required property '{name}' not found", value)
    options, minutes = value["options"], value["duration_minutes"]
    if not isinstance(options, list):
        raise _bad("poll.options", f"{type(options).__name__} found, array expected", options)
    low, high = POLL_OPTIONS
    if len(options) < low:
        raise _bad("poll.options", f"must have at least {low} items but found {len(options)}", options)
    if len(options) > high:
        raise _bad("poll.options", f"must have at most {high} items but found {len(options)}", options)
    shortest, longest = POLL_OPTION_LENGTH
    for index, option in enumerate(options):
        path = f"poll.options[{index}]"
        if not isinstance(option, str):
            raise _bad(path, f"{type(option).__name__} found, string expected", option)
        if len(option) < shortest:
            raise _bad(path, f"must be at least {shortest} characters long", option)
        if len(option) > longest:
            raise _bad(path, f"may only be {longest} characters long", option)
    if not isinstance(minutes, int) or isinstance(minutes, bool):
        raise _bad("poll.duration_minutes", f"{type(minutes).__name__} found, integer expected", minutes)
    low, high = POLL_MINUTES
    if minutes < low:
        raise _bad("poll.duration_minutes", f"must have a minimum value of {low}", minutes)
    if minutes > high:
        raise _bad("poll.duration_minutes", f"must have a maximum value of {high}", minutes)
    if "reply_settings" in value:
        _reply_settings(value["reply_settings"], "poll.reply_settings")
    return Poll(list(options), minutes)
