"""Mastodon's length rule, as its StatusLengthValidator applies it (mastodon/mastodon,
app/validators/status_length_validator.rb): grapheme clusters, each link counted as
`characters_reserved_per_url` (23), and a mention of someone elsewhere (@user@domain) counted as
@user. The limit is the instance's own (configuration.statuses.max_characters, 500 by default)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import graphemes

DEFAULT_MAX_CHARACTERS = 500
DEFAULT_MAX_MEDIA = 4
DEFAULT_URL_LENGTH = 23

# Mastodon finds links with twitter-text's rules; a scheme is what makes it a link there.
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_REMOTE_MENTION = re.compile(r"(?<![\w@])@(\w+(?:[.-]+\w+)*)@[\w.-]+\w", re.UNICODE)


@dataclass(frozen=True)
class Limits:
    max_characters: int = DEFAULT_MAX_CHARACTERS
    max_media: int = DEFAULT_MAX_MEDIA
    url_length: int = DEFAULT_URL_LENGTH


def for_instance(instance_url: str) -> Limits:
    """The instance's limits as last read (client.limits reads them at connect and at test
    connection); Mastodon's defaults before that. No network call: the composer and the post
    services ask this while a post is written."""
    from ..models import MastodonApp

    app = MastodonApp.objects.filter(instance_url=instance_url).first() if instance_url else None
    if app is None:
        return Limits()
    return Limits(app.max_characters, app.max_media_attachments, app.characters_reserved_per_url)


def length(text: str, *, url_length: int = DEFAULT_URL_LENGTH) -> int:
    countable = _URL.sub(lambda m: "x" * url_length, text or "")
    countable = _REMOTE_MENTION.sub(lambda m: "@" + m.group(1), countable)
    return graphemes(countable)


def problem(text: str, limits: Limits) -> str:
    used = length(text, url_length=limits.url_length)
    if used > limits.max_characters:
        return (f"Too long for Mastodon: {used} characters, the server allows {limits.max_characters} "
                f"(each link counts as {limits.url_length})")
    return ""
