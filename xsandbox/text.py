"""Tweet length as X weighs it, approximated with the standard library.

Follows twitter-text config v3 in outline: text is NFC-normalised; code points in the Latin and
common-punctuation ranges weigh 1, everything else (CJK, emoji, ...) weighs 2; an emoji joined with
ZWJ, a variation selector or a skin-tone modifier adds nothing to the character it follows; each
http(s) URL weighs 23. Not handled: bare domains without a scheme ("example.com" counts per
character here, 23 on X) and a few emoji edge cases such as keycaps. Within those limits it agrees
with `twitter_text.parse_tweet(text).weightedLength`.
"""
from __future__ import annotations

import re
import unicodedata

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
URL_RE = re.compile(r"https?://[^\s]+", re.IGNORECASE)
# The weight-1 ranges of twitter-text config v3.
LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
ZWJ = 0x200D


def weighted_length(text: str) -> int:
    """The weighted length X compares with 280."""
    text = unicodedata.normalize("NFC", text)
    total, position = 0, 0
    for match in URL_RE.finditer(text):
        total += _weigh(text[position:match.start()]) + URL_WEIGHT
        position = match.end()
    return total + _weigh(text[position:])


def _weigh(chunk: str) -> int:
    total = 0
    joined = False  # the previous code point was a ZWJ inside an emoji sequence
    previous_heavy = False
    for char in chunk:
        point = ord(char)
        if joined:
            joined = False
            continue
        if point == ZWJ and previous_heavy:
            joined = True
            continue
        if previous_heavy and _is_emoji_modifier(point):
            continue
        heavy = not _is_light(point)
        total += 2 if heavy else 1
        previous_heavy = heavy
    return total


def _is_light(point: int) -> bool:
    return any(low <= point <= high for low, high in LIGHT_RANGES)


def _is_emoji_modifier(point: int) -> bool:
    return (point in (0xFE0E, 0xFE0F)  # variation selectors
            or 0x1F3FB <= point <= 0x1F3FF  # skin tones
            or 0xE0020 <= point <= 0xE007F)  # tag sequences (flags of regions)
