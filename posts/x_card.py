"""A post as X shows it: one card, or a thread's cards stacked and connected, built in Python.

The review inbox shows 20 of them a page; as templates (an include per part) they cost about a
third of its CPU. Built here with format_html, as the inbox's items around them are (posts/rows.py).
The post page and the review link show them through `{% x_thread %}`, the composer through
`{% x_card %}`, and its script (static/js/composer.js) fills the same markup live: keep the
`data-preview-*` attributes and the structure as they are.
"""

from __future__ import annotations

from django.template.loader import get_template
from django.utils.safestring import SafeString

from platforms.x.accounts import PROVIDER as X_PROVIDER
from socialhub.html import format_html, format_html_join

from . import preview
from .media import signed_url
from .options import PostOptions


def x_text(text: str) -> SafeString:
    """The post's text as X shows it (safe HTML)."""
    return preview.text_html(text or "")


def x_head(channels, client) -> dict:
    """The head of a post's card as X shows it: its first X account's (initial, name, @handle),
    else the client's name, else "Your client". Only an X account heads the X card: a Facebook page
    first in the list showed an empty "@"."""
    account = next((c.account for c in channels or () if c.account.provider == X_PROVIDER), None)
    if account is not None:
        username = account.username
        return {"initial": username[:1].upper(), "name": account.name or username, "handle": f"@{username}"}
    name = (client.get_full_name() or client.username) if client else "Your client"
    return {"initial": "X", "name": name, "handle": ""}


def x_options(options) -> SafeString:
    """posts/_x_options.html for these options (none for a later part, which has no options).
    Most posts have none set: their (empty) markup is the template's, rendered once (per process,
    and again when the template is reloaded) rather than once per card."""
    if options is None:
        return SafeString()
    template = get_template("posts/_x_options.html")
    if options != _NO_OPTIONS:
        return template.render({"options": options})
    compiled = template.template  # the engine's cached Template (get_template wraps it anew each call)
    html = _NO_OPTIONS_HTML.get(compiled)
    if html is None:
        _NO_OPTIONS_HTML.clear()
        html = _NO_OPTIONS_HTML[compiled] = template.render({"options": _NO_OPTIONS})
    return html


_NO_OPTIONS = PostOptions()
_NO_OPTIONS_HTML: dict = {}


def head_html(channels, client) -> SafeString:
    """The card's head (x_head): the composer's script fills its name, handle and initial."""
    head = x_head(channels, client)
    return format_html(
        '<div class="x-head">\n'
        '    <span class="x-avatar" aria-hidden="true" data-preview-initial>{}</span>\n'
        '    <span class="x-name" data-preview-name>{}</span>\n'
        '    <span class="x-handle muted" data-preview-handle>{}</span>\n  </div>',
        head["initial"], head["name"], head["handle"])


def card_html(text: str, media, options, *, head: SafeString, signed: bool = False) -> SafeString:
    """One tweet's card: `head` (head_html), the text, the options (part 1's; None for a later part)
    and the media (`signed`: by signed URL, for a page seen without logging in)."""
    shown = SafeString()
    for m in media:
        src = signed_url(m) if signed else m.url
        if m.kind == "video":
            shown += format_html('\n      <video src="{}" controls preload="metadata" aria-label="{}"></video>\n',
                                 src, m.alt_text)
        else:
            shown += format_html('\n      <img src="{}" alt="{}" loading="lazy">\n', src, m.alt_text)
    return format_html(
        '<article class="x-card" aria-label="Preview on X">\n  {}\n'
        '  <div class="x-text" data-preview-text>{}</div>\n'
        '  <div data-preview-options>{}</div>\n'
        '  <div class="x-media" data-preview-media>\n{}\n  </div>\n</article>',
        head, x_text(text), x_options(options), shown)


def thread_html(thread, *, channels, client, show_states: bool = False, signed: bool = False) -> SafeString:
    """A post's thread (Post.thread; Post.thread_with_channels with `show_states`) as X shows it,
    headed by the first X account of `channels` (else `client`'s name): a card per part, and with
    `show_states`, under each part of a thread how it went on each channel."""
    n_parts = len(thread)
    head = head_html(channels, client)
    parts = SafeString()
    for part in thread:
        card = card_html(part.text, part.media, part.post_options, head=head, signed=signed)
        states = _part_states(part) if show_states and n_parts > 1 else ""
        parts += format_html('\n  <li class="x-thread-part">\n    {}\n    {}\n  </li>', card, states)
    if n_parts > 1:
        return format_html('<ol class="x-thread is-thread" aria-label="Thread of {} parts">{}\n</ol>', n_parts, parts)
    return format_html('<ol class="x-thread" aria-label="Post">{}\n</ol>', parts)


def _part_states(part) -> SafeString:
    """How one part went on each channel (PartChannel): linked once on X, else its state."""
    lines = format_html_join("", "\n      <li>{}</li>", ((_part_state(part.position, pc),) for pc in part.channels))
    return format_html('<ul class="part-channels small">{}\n    </ul>', lines)


def _part_state(position: int, pc) -> SafeString:
    account = pc.channel.account
    if pc.remote_url:
        return format_html('<a href="{}" target="_blank" rel="noopener">Part {} on X as {}</a>',
                           pc.remote_url, position, account)
    return format_html("Part {}, {}: {}", position, account, pc.state_label.lower())
