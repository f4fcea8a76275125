"""X's text rules: its weighted length, the links it counts and its cashtags. (A post's text,
content plus hashtags, is composed the same for every platform: platforms.text.)"""

import functools
import re
import unicodedata

from twitter_text.config import config as twitter_text_config
from twitter_text.extract_urls import extract_urls_with_indices
from twitter_text.regexp.emoji import emoji as EMOJI

MAX_WEIGHTED_LENGTH = 280
# Self-serve (pay-per-use) apps may post at most 1 cashtag per post; X rejects more
# (docs: x-api/posts/manage-tweets/integrate.mdx, "Post creation restrictions").
MAX_CASHTAGS = 1
# A cashtag as twitter-text finds it: "$" after the start or a space, 1-6 letters, an optional
# "." or "_" and 1-2 letters, then the end, a space or punctuation.
_CASHTAG = re.compile(
    r"(?:^|(?<=\s))[$]([a-z]{1,6}(?:[._][a-z]{1,2})?)(?=$|\s|[!\"#%&'()*+,\-./:;<=>?@\[\\\]^_{|}~$])",
    re.IGNORECASE,
)

# twitter-text's v3 configuration: weights per code point range, URLs and emoji.
_CONFIG = twitter_text_config["defaults"]
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@functools.lru_cache(maxsize=4096)
def _char_weight(char: str) -> int:
    code = ord(char)
    for span in _CONFIG["ranges"]:
        if span["start"] <= code <= span["end"]:
            return span["weight"]
    return _CONFIG["default_weight"]


@functools.lru_cache(maxsize=256)
def url_entities(text: str) -> tuple[tuple[int, int, str], ...]:
    """The URLs X links in `text`: (start, end, url). Cached: the preview asks for the same text's
    URLs twice (length, then HTML), and the composer resends unchanged parts as you type."""
    return tuple((e["indices"][0], e["indices"][1], e["url"]) for e in extract_urls_with_indices(text))


def _emoji_lengths(text: str) -> dict[int, int]:
    """Where each emoji starts, and its length: twitter-text's emoji regex, run only around the
    non-ASCII stretches of the text. An emoji is non-ASCII but for a keycap's leading #, * or
    digit, so each stretch is searched from one character before it. Same matches as one pass
    over the whole text, without running the (slow) regex over plain ASCII."""
    found = {}
    for stretch in _NON_ASCII.finditer(text):
        for match in EMOJI.finditer(text, max(stretch.start() - 1, 0), stretch.end()):
            found[match.start()] = match.end() - match.start()
    return found


def weighted_length(text: str) -> int:
    """X's weighted length (URLs 23, CJK and emoji 2), by the official twitter-text config v3.

    twitter-text's parse_tweet, counting only the length (the same walk over the text) and
    finding emoji faster (see _emoji_lengths); tests check both agree.
    """
    text = re.sub(r"\r\n|\r|\n", "\n", unicodedata.normalize("NFC", text))
    urls = {start: len(url) for start, _, url in url_entities(text)}
    emoji = _emoji_lengths(text)
    total, index = 0, 0
    while index < len(text):
        if index in urls:
            total += _CONFIG["transformed_url_length"] * _CONFIG["scale"]
            index += urls[index]
        elif index in emoji:
            total += _CONFIG["default_weight"]
            index += emoji[index]
        else:
            total += _char_weight(text[index])
            index += 1
    return int(total / _CONFIG["scale"])


def cashtags(text: str) -> list[str]:
    """The cashtags X would link in the text, in order, as written ("$TSLA")."""
    return [f"${m.group(1)}" for m in _CASHTAG.finditer(text or "")]


def cashtag_problem(text: str) -> str:
    """Why X would refuse the text for its cashtags, or "" when it would not."""
    found = cashtags(text)
    if len(found) <= MAX_CASHTAGS:
        return ""
    return (
        f"X allows at most {MAX_CASHTAGS} cashtag per post made through its API; "
        f"this text has {len(found)}: {', '.join(found)}. Keep one."
    )

