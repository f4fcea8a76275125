import datetime as dt

from django import template
from django.utils import timezone

from posts.models import Post
from posts.x_card import card_html, head_html, thread_html
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


@register.simple_tag
def x_thread(thread, channels, client, show_states=False, signed=False):
    """`{% x_thread thread channels client show_states=... signed=... %}`: the post as X shows it
    (posts.x_card.thread_html)."""
    return thread_html(thread, channels=channels, client=client, show_states=bool(show_states), signed=bool(signed))


@register.simple_tag
def x_card(text, media, options=None):
    """`{% x_card text media options %}`: one card as the composer shows it before the post has
    an account (posts.x_card.card_html); the composer's script fills in the head."""
    return card_html(text, media, options, head=head_html(None, None))


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
