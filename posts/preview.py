"""How a post's text looks on X: links, hashtags and mentions highlighted, long URLs shortened."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from platforms.text import HashtagError, compose_text, normalize_hashtags
from platforms.x.text import MAX_WEIGHTED_LENGTH, url_entities, weighted_length

_TAGS = re.compile(r"(?<![\w&])([#＃]\w*[^\W\d]\w*|@\w{1,15})")
DISPLAY_URL_LENGTH = 25


def _display_url(url: str) -> str:
    bare = re.sub(r"^https?://(www\.)?", "", url)
    return bare if len(bare) <= DISPLAY_URL_LENGTH else bare[: DISPLAY_URL_LENGTH - 1] + "…"


def _tags_html(segment: str) -> str:
    parts = []
    last = 0
    for match in _TAGS.finditer(segment):
        parts.append(escape(segment[last : match.start()]))
        parts.append(f'<span class="x-link">{escape(match.group(0))}</span>')
        last = match.end()
    parts.append(escape(segment[last:]))
    return "".join(parts)


def text_html(text: str) -> SafeString:
    """The text as X shows it, as safe HTML (line breaks kept by CSS white-space). A long
    (Premium) post shows its first 280 weighted characters, the rest behind "Show more", as on X."""
    if len(text) > MAX_WEIGHTED_LENGTH // 2 and weighted_length(text) > MAX_WEIGHTED_LENGTH:
        cut = _cut(text)
        more = _html(text[cut:])
        return mark_safe(f'{_html(text[:cut].rstrip())}<span class="x-ellipsis">…</span> '
                         f'<details class="x-more"><summary>Show more</summary>{more}</details>')
    return _html(text)


def _cut(text: str) -> int:
    """Where X cuts a long post: the longest prefix within 280, on a word boundary when there is one."""
    low, high = 0, len(text)
    while low < high:  # weighted length grows with the prefix
        middle = (low + high + 1) // 2
        if weighted_length(text[:middle]) <= MAX_WEIGHTED_LENGTH:
            low = middle
        else:
            high = middle - 1
    space = text.rfind(" ", 0, low + 1)
    return space if space > low // 2 else low


def _html(text: str) -> SafeString:
    out = []
    last = 0
    for start, end, url in url_entities(text):
        out.append(_tags_html(text[last:start]))
        out.append(f'<span class="x-link" title="{escape(url)}">{escape(_display_url(url))}</span>')
        last = end
    out.append(_tags_html(text[last:]))
    return mark_safe("".join(out))


def describe(content: str, hashtags, *, limit: int = MAX_WEIGHTED_LENGTH) -> dict:
    """What the composer shows for a draft: the composed text, its weighted length against `limit`
    (the accounts' smallest: 25,000 when all are Premium), any hashtag error."""
    error = ""
    try:
        tags = normalize_hashtags(hashtags)
    except HashtagError as exc:
        tags, error = [], str(exc)
    text = compose_text(content, tags)
    length = weighted_length(text)
    return {
        "text": text,
        "weighted_length": length,
        "max": limit,
        "remaining": limit - length,
        "over": length > limit,
        "hashtag_error": error,
    }


def networks(accounts, content: str, hashtags, overrides: dict, chosen=()) -> list[dict]:
    """Each network the accounts are on, as the composer previews it: its own text (the
    per-network text, else the main one, with the hashtags), counted by that network's rule
    (the first chosen account's, for a Mastodon server's own limit)."""
    from platforms.registry import count, platform_label, preview_note

    try:
        tags = normalize_hashtags(hashtags)
    except HashtagError:
        tags = []
    chosen = {str(pk) for pk in chosen or ()}  # ids as the form gives them back
    first: dict[str, object] = {}
    for account in sorted(accounts, key=lambda a: str(a.pk) not in chosen):
        first.setdefault(account.provider, account)
    shown = []
    for provider, account in sorted(first.items()):
        own = (overrides.get(provider) or "").strip()
        text = compose_text(own or content, tags)
        used, allowed, how = count(account, text)
        shown.append({
            "provider": provider, "label": platform_label(provider), "text": text, "own": bool(own),
            "used": used, "allowed": allowed, "over": used > allowed, "how": how,
            "html": str(text_html(text)), "account": account, "note": preview_note(provider),
        })
    return shown
