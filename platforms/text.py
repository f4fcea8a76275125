"""Counting text the way Mastodon and Bluesky count it: grapheme clusters (what a reader sees as
one character: an emoji with its modifiers, a letter with its accents), not code points."""

from __future__ import annotations

import regex

_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> int:
    return len(_GRAPHEME.findall(text or ""))
