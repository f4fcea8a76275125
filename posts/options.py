"""What X lets a post be besides text and media: a poll, who may reply, a quoted post, a community,
and the "made with AI" and "paid partnership" labels.

Bounds and exclusions are X's (spec: xdevplatform/xdk specs/openapi.json v2.167, CreatePostsRequest
and CreatePostsPoll; see docs/x-api.md): a poll has 2-4 options of 1-25 characters and lasts
5-10,080 minutes; reply settings are following, mentionedUsers, subscribers or verified (everyone
is the field left out); media, a poll and a quoted post cannot be combined. They are checked when
the post is written (`clean`), so nothing is refused at publish time, and sent with part 1 only
(`request_body`): X takes a reply's place in the conversation from the part before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError

POLL_MIN_OPTIONS, POLL_MAX_OPTIONS = 2, 4
POLL_OPTION_MAX = 25
POLL_MIN_MINUTES, POLL_MAX_MINUTES = 5, 10080
POLL_DEFAULT_MINUTES = 1440

EVERYONE = "everyone"
REPLY_SETTINGS = [
    (EVERYONE, "Everyone"),
    ("following", "Accounts you follow"),
    ("mentionedUsers", "Only accounts you mention"),
    ("subscribers", "Your subscribers"),
    ("verified", "Verified accounts"),
]
REPLY_LABELS = dict(REPLY_SETTINGS)
# Mastodon's status visibility (direct messages are not posts, so not offered).
PUBLIC = "public"
MASTODON_VISIBILITIES = [
    (PUBLIC, "Public"),
    ("unlisted", "Quiet public (unlisted)"),
    ("private", "Followers only"),
]
MASTODON_VISIBILITY_LABELS = dict(MASTODON_VISIBILITIES)
_ID = re.compile(r"^[0-9]{1,19}$")
_STATUS_PATH = re.compile(r"^/(?:[A-Za-z0-9_]{1,15}|i(?:/web)?)/status(?:es)?/([0-9]{1,19})(?:[/?#].*)?$")
X_HOSTS = {"x.com", "twitter.com", "mobile.x.com", "mobile.twitter.com", "www.x.com", "www.twitter.com"}


@dataclass
class PostOptions:
    """A post's options as stored on Post (see the model's fields of the same names)."""

    poll_options: list[str] = field(default_factory=list)
    poll_duration_minutes: int | None = None
    reply_settings: str = EVERYONE
    quote_tweet_id: str = ""
    community_id: str = ""
    share_with_followers: bool = False
    made_with_ai: bool = False
    paid_partnership: bool = False
    mastodon_visibility: str = PUBLIC

    FIELDS = ("poll_options", "poll_duration_minutes", "reply_settings", "quote_tweet_id", "community_id",
              "share_with_followers", "made_with_ai", "paid_partnership", "mastodon_visibility")

    @classmethod
    def of(cls, post) -> PostOptions:
        return cls(**{name: getattr(post, name) for name in cls.FIELDS})

    def apply(self, post) -> None:
        for name in self.FIELDS:
            setattr(post, name, getattr(self, name))

    @property
    def has_poll(self) -> bool:
        return bool(self.poll_options)

    @property
    def quote_url(self) -> str:
        return f"{settings.X_WEB_URL}/i/web/status/{self.quote_tweet_id}" if self.quote_tweet_id else ""


def quote_id(value: str) -> str:
    """The post id in a pasted link (x.com, twitter.com or the configured X web address) or a bare
    id. Raises ValidationError."""
    value = (value or "").strip()
    if _ID.match(value):
        return value
    parsed = urlparse(value if "://" in value else f"https://{value}")
    hosts = X_HOSTS | {urlparse(settings.X_WEB_URL).netloc}
    found = _STATUS_PATH.match(parsed.path or "") if parsed.netloc.lower() in hosts else None
    if not found:
        raise ValidationError(
            "Paste the link of the post to quote, like https://x.com/name/status/1234567890, or its id."
        )
    return found.group(1)


def _flag(raw: dict, name: str, problems: dict) -> bool:
    value = raw.get(name, False)
    if isinstance(value, str):
        value = value.strip().lower()
        if value in ("", "0", "false", "off", "no"):
            return False
        if value in ("1", "true", "on", "yes"):
            return True
    if not isinstance(value, bool):
        problems.setdefault(name, []).append("Use true or false.")
        return False
    return value


def clean(raw: dict | None, *, has_media: bool) -> PostOptions:
    """Check options as given (API names: `poll` {options, duration_minutes}, `reply_settings`,
    `quote` (a link or an id), `community_id`, `share_with_followers`, `made_with_ai`,
    `paid_partnership`) against X's rules and the post's part 1 (`has_media`).
    Raises ValidationError naming each field with its problem."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ValidationError({"options": ["Give the options as an object."]})
    unknown = sorted(set(raw) - {"poll", "reply_settings", "quote", "quote_tweet_id", "community_id",
                                 "share_with_followers", "made_with_ai", "paid_partnership",
                                 "mastodon_visibility"})
    problems: dict[str, list[str]] = {}
    if unknown:
        problems["options"] = [f"Unknown option {name!r}." for name in unknown]
    options = PostOptions()
    poll = raw.get("poll")
    if poll not in (None, {}, ""):
        options.poll_options, options.poll_duration_minutes = _clean_poll(poll, problems)
    reply = raw.get("reply_settings") or EVERYONE
    if reply not in REPLY_LABELS:
        problems["reply_settings"] = [f"Choose who can reply: {', '.join(REPLY_LABELS)}."]
    options.reply_settings = reply if reply in REPLY_LABELS else EVERYONE
    quote = raw.get("quote") or raw.get("quote_tweet_id") or ""
    if quote:
        try:
            options.quote_tweet_id = quote_id(str(quote))
        except ValidationError as exc:
            problems["quote"] = exc.messages
    community = str(raw.get("community_id") or "").strip()
    if community:
        community = _community_id(community)
        if not _ID.match(community):
            problems["community_id"] = ["Give the community's number, or its link (x.com/i/communities/<number>)."]
        options.community_id = community
    options.share_with_followers = _flag(raw, "share_with_followers", problems)
    if options.share_with_followers and not options.community_id:
        problems.setdefault("share_with_followers", []).append("Sharing with followers is for a community post.")
    options.made_with_ai = _flag(raw, "made_with_ai", problems)
    options.paid_partnership = _flag(raw, "paid_partnership", problems)
    visibility = raw.get("mastodon_visibility") or PUBLIC
    if visibility in MASTODON_VISIBILITY_LABELS:
        options.mastodon_visibility = visibility
    else:
        problems["mastodon_visibility"] = [f"Choose who sees it on Mastodon: {', '.join(MASTODON_VISIBILITY_LABELS)}."]
    together = [name for name, given in (("media", has_media), ("a poll", options.has_poll),
                                         ("a quoted post", bool(options.quote_tweet_id))) if given]
    if len(together) > 1:
        where = "poll" if options.has_poll else "quote"
        problems.setdefault(where, []).append(
            f"X does not allow {' and '.join(together)} in one post: keep one of them.")
    if problems:
        raise ValidationError(problems)
    return options


def _community_id(value: str) -> str:
    found = re.search(r"/communities/([0-9]{1,19})", value)
    return found.group(1) if found else value


def _clean_poll(poll, problems: dict) -> tuple[list[str], int | None]:
    if not isinstance(poll, dict):
        problems["poll"] = ['Give the poll as {"options": [...], "duration_minutes": N}.']
        return [], None
    choices = poll.get("options") or []
    if isinstance(choices, str):
        choices = choices.splitlines()
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        problems["poll"] = ["Poll options are a list of texts."]
        return [], None
    choices = [c.strip() for c in choices if c.strip()]
    messages = []
    if not POLL_MIN_OPTIONS <= len(choices) <= POLL_MAX_OPTIONS:
        messages.append(f"A poll has {POLL_MIN_OPTIONS} to {POLL_MAX_OPTIONS} options; this one has {len(choices)}.")
    for number, choice in enumerate(choices, 1):
        if len(choice) > POLL_OPTION_MAX:
            messages.append(f"Option {number} is {len(choice)} characters; X allows {POLL_OPTION_MAX}.")
    minutes = poll.get("duration_minutes", POLL_DEFAULT_MINUTES)
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        messages.append("Give the poll's length in minutes.")
        minutes = None
    if minutes is not None and not POLL_MIN_MINUTES <= minutes <= POLL_MAX_MINUTES:
        messages.append(f"A poll lasts {POLL_MIN_MINUTES} minutes to 7 days ({POLL_MAX_MINUTES} minutes).")
    if messages:
        problems["poll"] = messages
    return choices, minutes


def request_body(options: PostOptions) -> dict:
    """The CreatePostsRequest properties for part 1 (only what differs from X's defaults)."""
    body: dict = {}
    if options.has_poll:
        body["poll"] = {"options": list(options.poll_options), "duration_minutes": options.poll_duration_minutes}
    if options.reply_settings and options.reply_settings != EVERYONE:
        body["reply_settings"] = options.reply_settings
    if options.quote_tweet_id:
        body["quote_tweet_id"] = options.quote_tweet_id
    if options.community_id:
        body["community_id"] = options.community_id
        if options.share_with_followers:
            body["share_with_followers"] = True
    for name in ("made_with_ai", "paid_partnership"):
        if getattr(options, name):
            body[name] = True
    return body


def as_input(options: PostOptions) -> dict:
    """Stored options in the form `clean` takes, to check them again."""
    return {
        "poll": {"options": list(options.poll_options), "duration_minutes": options.poll_duration_minutes}
        if options.has_poll else None,
        "reply_settings": options.reply_settings, "quote": options.quote_tweet_id,
        "community_id": options.community_id, "share_with_followers": options.share_with_followers,
        "made_with_ai": options.made_with_ai, "paid_partnership": options.paid_partnership,
        "mastodon_visibility": options.mastodon_visibility,
    }


def as_api(options: PostOptions) -> dict:
    """The options as the REST API shows them."""
    return {
        "poll": {"options": list(options.poll_options), "duration_minutes": options.poll_duration_minutes}
        if options.has_poll else None,
        "reply_settings": options.reply_settings,
        "quote_tweet_id": options.quote_tweet_id or None,
        "quote_url": options.quote_url or None,
        "community_id": options.community_id or None,
        "share_with_followers": options.share_with_followers,
        "made_with_ai": options.made_with_ai,
        "paid_partnership": options.paid_partnership,
        "mastodon_visibility": options.mastodon_visibility,
    }


def describe(options: PostOptions) -> list[str]:
    """One line per option that is set, as a person reads it (inbox, review pages, admin)."""
    lines = []
    if options.has_poll:
        lines.append(f"Poll ({duration_label(options.poll_duration_minutes)}): {' / '.join(options.poll_options)}")
    if options.reply_settings != EVERYONE:
        lines.append(f"Who can reply: {REPLY_LABELS.get(options.reply_settings, options.reply_settings)}")
    if options.quote_tweet_id:
        lines.append(f"Quotes post {options.quote_tweet_id}")
    if options.community_id:
        shared = ", also shown to followers" if options.share_with_followers else ""
        lines.append(f"Posted in community {options.community_id}{shared}")
    if options.made_with_ai:
        lines.append("Label: Made with AI")
    if options.paid_partnership:
        lines.append("Label: Paid partnership")
    if options.mastodon_visibility != PUBLIC:
        lines.append(f"On Mastodon: {MASTODON_VISIBILITY_LABELS.get(options.mastodon_visibility, options.mastodon_visibility)}")
    return lines


def duration_label(minutes: int | None) -> str:
    """1440 -> "1 day", 90 -> "1 h 30 min"."""
    minutes = minutes or 0
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{mins} min"] if mins else []
    return " ".join(parts) or "0 min"
