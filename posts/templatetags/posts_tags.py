import datetime as dt

from django import template
from django.template.loader import get_template
from django.utils import timezone

from platforms.x.accounts import PROVIDER as X_PROVIDER
from posts import preview
from posts.media import signed_url as media_signed_url
from posts.models import Post
from posts.options import PostOptions
from socials import error_kinds

register = template.Library()

METRIC_LABELS = {
    "impression_count": "views",
    "like_count": "likes",
    "retweet_count": "reposts",
    "reply_count": "replies",
    "quote_count": "quotes",
    "bookmark_count": "bookmarks",
}

STATUS_CLASS = {
    Post.Status.PENDING: "pending",
    Post.Status.APPROVED: "approved",
    Post.Status.PROCESSING: "processing",
    Post.Status.PUBLISHED: "published",
    Post.Status.FAILED: "failed",
    Post.Status.REJECTED: "rejected",
}


@register.filter
def x_text(text: str):
    """The post's text as X shows it (safe HTML)."""
    return preview.text_html(text or "")


@register.filter
def x_head(channels, client) -> dict:
    """The head of a post's card as X shows it (posts/_x_preview.html): its first X account's
    (initial, name, @handle), else the client's name, else "Your client". Worked out here once per
    card: in the template it was a dozen lookups through the account and the client. Only an X
    account heads the X card: a Facebook page first in the list showed an empty "@"."""
    account = next((c.account for c in channels or () if c.account.provider == X_PROVIDER), None)
    if account is not None:
        username = account.username
        return {"initial": username[:1].upper(), "name": account.name or username, "handle": f"@{username}"}
    name = (client.get_full_name() or client.username) if client else "Your client"
    return {"initial": "X", "name": name, "handle": ""}


@register.filter
def x_options(options) -> str:
    """posts/_x_options.html for these options. Most posts have none: their (empty) markup is the
    template's, rendered once (per process, and again when the template is reloaded) rather than
    once per card."""
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


@register.filter
def signed_url(media) -> str:
    """The file's link for a page seen without logging in (a review link): it opens until it
    expires (posts.media.signed_url)."""
    return media_signed_url(media)


@register.filter
def metric_items(metrics) -> list[tuple[str, object]]:
    if not isinstance(metrics, dict):
        return []
    return [(METRIC_LABELS.get(k, k.replace("_count", "").replace("_", " ")), v) for k, v in metrics.items()
            if isinstance(v, (int, float))]


@register.filter
def failure_advice(channel) -> str:
    return error_kinds.advice(channel.error_kind)


@register.filter
def status_class(status: int) -> str:
    return STATUS_CLASS.get(status, "pending")


@register.filter
def live_status_html(post):
    """The post's status in its live box (posts.rows.live_status_html)."""
    from posts.rows import live_status_html as html

    return html(post)


LIVE_WINDOW = dt.timedelta(minutes=2)


@register.filter
def is_live(post) -> bool:
    """Whether the page should watch this post: it is being sent, or is approved and due about now."""
    if post.status == Post.Status.PROCESSING:
        return True
    if post.status != Post.Status.APPROVED:
        return False
    return post.schedule_at is None or post.schedule_at <= timezone.now() + LIVE_WINDOW


# How X words who may reply, under the post.
REPLY_NOTES = {
    "following": "Accounts this account follows can reply",
    "mentionedUsers": "Only accounts mentioned can reply",
    "subscribers": "Only subscribers can reply",
    "verified": "Only verified accounts can reply",
}


@register.filter
def reply_label(reply_settings: str) -> str:
    return REPLY_NOTES.get(reply_settings, "Everyone can reply")


@register.filter
def poll_duration(minutes) -> str:
    from posts.options import duration_label

    return duration_label(minutes)


@register.filter
def option_lines(post) -> list[str]:
    """A post's options, one line each (inbox and review pages)."""
    from posts.options import describe

    return describe(post.options)
