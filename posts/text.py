"""The text a post sends to X: content plus hashtags, and X's weighted length of it."""

import re
import unicodedata

from twitter_text import parse_tweet

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
    """The exact text sent to X: the content, then each hashtag as #tag not already in it."""
    content = unicodedata.normalize("NFC", (content or "").strip())
    present = {m.casefold() for m in re.findall(r"[#＃](\w+)", content)}
    extra = [f"#{tag}" for tag in hashtags if tag.casefold() not in present]
    if not extra:
        return content
    return f"{content}\n\n{' '.join(extra)}" if content else " ".join(extra)


def weighted_length(text: str) -> int:
    """X's weighted length (URLs 23, CJK and emoji 2), by the official twitter-text config v3."""
    return parse_tweet(text).weightedLength


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

