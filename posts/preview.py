"""How a post's text looks on X and on each other network: the links, hashtags and mentions each
highlights, how each shortens a link, and where each feed folds a long text behind its "more"."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

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



# --- The other networks. What each links and how it shortens a link is its web app's own rule (named
# per function); where a feed folds a long text is approximate (the networks publish no figure: the
# ones below are those widely quoted for the desktop feed, and a narrow screen folds earlier).

_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’]", re.IGNORECASE)  # as the publishers find links
_HASHTAG = re.compile(r"(?<![\w&])[#＃]\w*[^\W\d]\w*")
_MENTION = re.compile(r"(?<![\w@])@\w(?:[\w.]*\w)?(?:@[\w-]+(?:\.[\w-]+)+)?")


def _full_url(url: str) -> str:
    return url


def _mastodon_url(url: str) -> str:
    """Mastodon's formatter hides the scheme and "www.", and shows 30 characters of the rest, then "…"."""
    bare = re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE)
    return bare if len(bare) <= 30 else bare[:30] + "…"


def _bluesky_url(url: str) -> str:
    """Bluesky's apps show a link facet as host and path, a path over 15 characters cut to 13 and "..."."""
    parts = urlsplit(url)
    path = ("" if parts.path == "/" else parts.path) + (f"?{parts.query}" if parts.query else "") + \
        (f"#{parts.fragment}" if parts.fragment else "")
    return parts.netloc + (path[:13] + "..." if len(path) > 15 else path)


@dataclass(frozen=True)
class Look:
    """How a network's feed shows a post's text and media.

    `fold`/`fold_lines`: characters and lines shown before the "more" link (0: never folded);
    `link`: how a link reads (None: not a link there, plain text); `tiles`: images shown before "+N".
    """

    more: str = ""
    fold: int = 0
    fold_lines: int = 0
    link: object = _full_url
    hashtags: bool = True
    mentions: bool = True
    tiles: int = 4


LOOKS = {
    # LinkedIn folds after about 210 characters or 3 lines; an "@name" is escaped as plain text (a real
    # mention needs the member's URN), links and hashtags are highlighted in full.
    "linkedin": Look(more="see more", fold=210, fold_lines=3, mentions=False, tiles=4),
    # Facebook folds after about 477 characters; plain "@name" text tags nobody.
    "facebook": Look(more="See more", fold=477, mentions=False, tiles=5),
    # Instagram: links in a caption are plain text; the caption folds after about 125 characters or 2 lines.
    "instagram": Look(more="more", fold=125, fold_lines=2, link=None, tiles=1),
    # Bluesky highlights only what the post carries as facets: SocialHub sends links only
    # (platforms/bluesky/publisher.py), so hashtags and mentions are plain text there.
    "bluesky": Look(link=_bluesky_url, hashtags=False, mentions=False),
    "mastodon": Look(link=_mastodon_url),
    "twitter": Look(),  # text_html is X's
}


def network_html(provider: str, text: str) -> SafeString:
    """The text as `provider`'s feed shows it, as safe HTML; a long one folded behind that network's
    "more" (a <details>, so the whole text is one click away, as there)."""
    if provider == "twitter" or provider not in LOOKS:
        return text_html(text)
    look = LOOKS[provider]
    cut = _fold(text, look)
    if cut is None:
        return _network_html(text, look)
    return mark_safe(f'{_network_html(text[:cut].rstrip(), look)}<span class="net-ellipsis">…</span> '
                     f'<details class="net-more"><summary>{escape(look.more)}</summary>'
                     f'{_network_html(text[cut:].lstrip(), look)}</details>')


def _fold(text: str, look: Look) -> int | None:
    """Where the feed cuts the text (on a word boundary when there is one), or None when it shows it whole."""
    cut = None
    if look.fold_lines and text.count("\n") >= look.fold_lines:
        cut = [m.start() for m in re.finditer("\n", text)][look.fold_lines - 1]
    if look.fold and len(text) > look.fold and (cut is None or cut > look.fold):
        space = text.rfind(" ", 0, look.fold + 1)
        cut = space if space > look.fold // 2 else look.fold
    return cut


def _network_html(text: str, look: Look) -> SafeString:
    patterns = [_URL.pattern]
    if look.hashtags:
        patterns.append(_HASHTAG.pattern)
    if look.mentions:
        patterns.append(_MENTION.pattern)
    out, last = [], 0
    for match in re.finditer("|".join(f"({p})" for p in patterns), text, flags=re.IGNORECASE):
        token = match.group(0)
        if match.group(1) and look.link is None:  # a link that is not one there
            continue
        shown = look.link(token) if match.group(1) else token
        out.append(escape(text[last : match.start()]))
        title = f' title="{escape(token)}"' if shown != token else ""
        out.append(f'<span class="net-link"{title}>{escape(shown)}</span>')
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def account_header(account, *, visibility: str = "public") -> dict:
    """Who the post is from, as the network's card heads it: the name it shows in bold, the handle
    beside it ("" where the network shows none), the initial for the avatar (no picture is stored),
    the line under or after it (when, and to whom), and whether the avatar is a page's square logo."""
    from platforms.linkedin.accounts import is_page
    from platforms.registry import account_label, platform_label

    from .options import MASTODON_VISIBILITY_LABELS

    provider = account.provider
    if provider == "instagram":  # Instagram heads a post with the username alone
        name, handle = account.username or account.name, ""
    elif provider in ("linkedin", "facebook"):  # a person's or a page's name; no handle shown
        name, handle = account.name or account.username, ""
    else:  # X, Bluesky, Mastodon: the display name, then @handle (@user@server on Mastodon)
        name, handle = account.name or account.username, account_label(account)
    name = name or platform_label(provider)
    meta = {
        "linkedin": "Now · 🌐", "facebook": "Just now · 🌐", "bluesky": "now",
        "mastodon": f"now · {MASTODON_VISIBILITY_LABELS.get(visibility, visibility)}",
    }.get(provider, "")
    return {"name": name, "handle": handle, "initial": name.lstrip("@")[:1].upper() or "?", "meta": meta,
            "page": provider == "linkedin" and is_page(account)}


def first_link_host(provider: str, text: str) -> str:
    """The site a Facebook post's link card names: a post with a link and no photo is sent as a link
    post (platforms/facebook/publisher.py), which Facebook shows with the page's card. "" elsewhere."""
    if provider != "facebook":
        return ""
    from platforms.facebook.limits import first_link

    return (urlsplit(first_link(text)).hostname or "").removeprefix("www.")


def networks(accounts, content: str, hashtags, overrides: dict, chosen=(), *, visibility: str = "public") -> list[dict]:
    """Each network the accounts are on, as the composer previews it: its own text (the
    per-network text, else the main one, with the hashtags) as that network shows it, counted by
    its rule (the first chosen account's, for a Mastodon server's own limit), under the header of
    that account (`visibility`: the Mastodon visibility chosen)."""
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
            "html": str(network_html(provider, text)), "account": account, "note": preview_note(provider),
            "tiles": LOOKS.get(provider, Look()).tiles, "link_host": first_link_host(provider, text),
            **account_header(account, visibility=visibility),
        })
    return shown


def post_cards(post, *, signed: bool = False) -> dict:
    """What a saved post's page shows of it (posts/_post_cards.html): X's card, headed by the first X
    account, when the post goes to X (or to no account yet), and a card per channel elsewhere."""
    on_x = [c for c in post.shown_channels if c.account.provider == "twitter"]
    return {"on_x": on_x, "networks": channel_cards(post, signed=signed)}


def channel_cards(post, *, signed: bool = False) -> list[dict]:
    """A saved post as each of its channels off X will show it (posts/_network_preview.html, the
    composer's cards): one card per account, under that account's header, with the network's own
    text (its override, else the post's, with the hashtags) and the post's media; a thread's later
    parts (Bluesky, Mastodon) as replies under it. X's card is posts/x_card.py (its options
    and each part's state). `signed`: the media by signed URL, for a page seen without logging in
    (a review link). Uses the prefetched channels, accounts and media (Post.objects.with_relations)."""
    from platforms.registry import platform_label

    from .media import signed_url

    thread = post.thread
    media = [[{"url": signed_url(m) if signed else m.url, "kind": m.kind, "alt_text": m.alt_text} for m in part.media]
             for part in thread]
    overrides = post.text_overrides or {}
    replies: dict[str, list[dict]] = {}
    cards = []
    # In the composer's order (by network), the accounts of one network in the channels' order.
    for channel in sorted(post.shown_channels, key=lambda c: c.account.provider):
        account = channel.account
        provider = account.provider
        if provider == "twitter":
            continue
        own = overrides.get(provider)  # as Post.thread_for sends it
        text = compose_text(own, post.hashtags) if own else thread[0].text
        if provider not in replies:  # the later parts read the same from every account on a network
            replies[provider] = [{"html": network_html(provider, part.text), "media": shown}
                                 for part, shown in zip(thread[1:], media[1:])]
        cards.append({
            "provider": provider, "label": platform_label(provider), "text": text, "own": bool(own),
            "html": network_html(provider, text), "media": media[0], "parts": replies[provider],
            "tiles": LOOKS.get(provider, Look()).tiles, "link_host": first_link_host(provider, text),
            **account_header(account, visibility=post.mastodon_visibility),
        })
    return cards
