"""A post's text as every platform gets it (content plus hashtags), and counting text the way
Mastodon and Bluesky count it: grapheme clusters (what a reader sees as one character: an emoji
with its modifiers, a letter with its accents), not code points."""

from __future__ import annotations

import re
import unicodedata

import regex

_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> int:
    return len(_GRAPHEME.findall(text or ""))


# X links a hashtag made of letters, marks, digits and underscores that is not all digits.
_HASHTAG = re.compile(r"^(?=.*[^\W\d])[\w\u0300-\u036f]+$")


class HashtagError(ValueError):
    pass


def normalize_hashtags(raw: list[str] | str | None) -> list[str]:
    """Hashtags without "#", de-duplicated case-insensitively, in their first order.

    Accepts a list or a string of tags separated by spaces or commas. Raises HashtagError for a tag
    X would not link.
    """
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = re.split(r"[\s,]+", raw)
    tags: list[str] = []
    seen: set[str] = set()
    for item in raw:
        if not isinstance(item, str):
            raise HashtagError(f"Hashtag {item!r} must be text.")
        tag = unicodedata.normalize("NFC", item.strip()).lstrip("#＃")
        if not tag:
            continue
        if not _HASHTAG.match(tag):
            raise HashtagError(
                f"#{tag} is not a valid hashtag: use letters, digits and underscores, not only digits."
            )
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


def compose_text(content: str, hashtags: list[str]) -> str:
    """The exact text sent to a platform: the content, then each hashtag as #tag not already in it."""
    content = unicodedata.normalize("NFC", (content or "").strip())
    present = {m.casefold() for m in re.findall(r"[#＃](\w+)", content)}
    extra = [f"#{tag}" for tag in hashtags if tag.casefold() not in present]
    if not extra:
        return content
    return f"{content}\n\n{' '.join(extra)}" if content else " ".join(extra)
