"""Tweet text as X counts it and as X stores it.

Counting is twitter-text's config v3 (`twitter_text.parse_tweet`, the same library the app uses; the
sandbox's tests run it against twitter-text's own conformance file). Storing follows what real X
answers (sources in docs/x-api.md, "The sandbox"):

- `&`, `<` and `>` are HTML-escaped (`&amp;`, `&lt;`, `&gt;`); nothing else is;
- every URL twitter-text finds, bare domains such as `example.com` included, is replaced by a
  23-character t.co link, described in `entities.urls` {start, end, url, expanded_url, display_url}
  with `start`/`end` counted in code points of the stored text;
- a Premium post longer than 280 comes back cut (ending in "…") in `text`, whole in `note_tweet`.
"""
from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from twitter_text import extract_urls_with_indices, parse_tweet

MAX_WEIGHTED_LENGTH = 280
MAX_PREMIUM_LENGTH = 25000  # X's limit for Premium long posts
TCO_LENGTH = 23
ELLIPSIS = "…"
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_CODE_ALPHABET = string.ascii_letters + string.digits
DISPLAY_URL_MAX = 25
# Every code point weighs 1 or 2 except inside emoji sequences, which weigh 2 for at most ~12 code
# points: a text longer than this many code points is over 280 whatever it holds.
_SEARCH_LIMIT = MAX_WEIGHTED_LENGTH * 12


def weighted_length(text: str) -> int:
    """The weighted length X compares with 280 (twitter-text config v3)."""
    return parse_tweet(text).weightedLength


def escape(text: str) -> str:
    """X's escaping of stored text: only &, < and >."""
    return "".join(_ESCAPES.get(char, char) for char in text)


@dataclass
class StoredText:
    """A post as X keeps it: the whole escaped, linked text and its URL entities."""

    text: str
    urls: list[dict[str, Any]] = field(default_factory=list)

    def entities(self) -> dict[str, Any]:
        return {"urls": [dict(url) for url in self.urls]} if self.urls else {}

    def cut(self) -> StoredText:
        """The part shown in `text` for a long post: at most 280 weighted, on a word boundary,
        never inside a link or an escape, ending in "…". Itself when it is not long."""
        if len(self.text) <= _SEARCH_LIMIT and weighted_length(self.text) <= MAX_WEIGHTED_LENGTH:
            return self
        end = _longest_fitting_prefix(self.text)
        end = _step_out_of_links(self.urls, end)
        space = self.text.rfind(" ", 0, end)
        if space > end // 2:
            end = space
        amp = self.text.rfind("&", max(0, end - 4), end)
        if amp != -1 and ";" not in self.text[amp:end]:
            end = amp
        head = self.text[:end].rstrip()
        return StoredText(head + ELLIPSIS, [u for u in self.urls if u["end"] <= len(head)])


def store(posted: str, tco_base: str) -> StoredText:
    """What X stores for the posted text: escaped, every URL (bare domains too) a t.co link."""
    parts: list[str] = []
    urls: list[dict[str, Any]] = []
    position, length = 0, 0
    for found in _url_spans(posted):
        start, end = found
        before = escape(posted[position:start])
        parts.append(before)
        length += len(before)
        original = posted[start:end]
        link = tco_link(tco_base)
        urls.append({"start": length, "end": length + len(link), "url": link,
                     "expanded_url": _expanded(original), "display_url": _display(original)})
        parts.append(link)
        length += len(link)
        position = end
    parts.append(escape(posted[position:]))
    return StoredText("".join(parts), urls)


def tco_link(base: str) -> str:
    """A t.co-style link of exactly 23 characters under `base` (e.g. "https://t.co/")."""
    base = base if base.endswith("/") else base + "/"
    code_length = max(TCO_LENGTH - len(base), 4)
    return base + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(code_length))


def _url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) in code points of every URL twitter-text finds, bare domains included."""
    return [tuple(entity["indices"]) for entity in extract_urls_with_indices(text)]  # type: ignore[misc]


def _expanded(url: str) -> str:
    return url if "://" in url else "http://" + url


def _display(url: str) -> str:
    shown = url.split("://", 1)[-1]
    if shown.lower().startswith("www."):
        shown = shown[4:]
    return shown if len(shown) <= DISPLAY_URL_MAX else shown[:DISPLAY_URL_MAX - 1] + ELLIPSIS


def _longest_fitting_prefix(text: str) -> int:
    """The largest n with weighted_length(text[:n] + "…") <= 280 (binary search; length grows with n),
    looking no further than _SEARCH_LIMIT code points so long posts stay fast to cut."""
    low, high = 0, min(len(text), _SEARCH_LIMIT)
    while low < high:
        middle = (low + high + 1) // 2
        if weighted_length(text[:middle] + ELLIPSIS) <= MAX_WEIGHTED_LENGTH:
            low = middle
        else:
            high = middle - 1
    return low


def _step_out_of_links(urls: list[dict[str, Any]], end: int) -> int:
    for url in urls:
        if url["start"] < end < url["end"]:
            return url["start"]
    return end
