import datetime as dt

from django import template
from django.utils import timezone

from posts import preview
from posts.models import Post

register = template.Library()

METRIC_LABELS = {
    "impression_count": "views",
    "like_count": "likes",
    "retweet_count": "reposts",
    "reply_count": "replies",
    "quote_count": "quotes",
    "bookmark_count": "bookmarks",
}

# What a person can do about a failed channel, by the X client's error kind.
ADVICE = {
    "auth": "The client must reconnect this X account, then write the post again.",
    "refresh_invalid": "The client must reconnect this X account, then write the post again.",
    "app_only": "The client must reconnect this X account with permission to post.",
    "duplicate": "X refuses the same text twice: write it again with different words.",
    "too_long": "Write it again, shorter.",
    "media": "Write it again with other media.",
    "usage_capped": "Contact SocialHub support.",
    "credits_depleted": "SocialHub staff must add credits to the X app; then retry this post.",
    "reply_not_summoned": "X lets the API reply only where the author mentioned or quoted the account: "
    "post the remaining parts on their own.",
    "rate_limited": "Retry after the time shown.",
}
DEFAULT_ADVICE = "Write it again from this post, or ask support if it keeps failing."

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
def metric_items(metrics) -> list[tuple[str, object]]:
    if not isinstance(metrics, dict):
        return []
    return [(METRIC_LABELS.get(k, k.replace("_count", "").replace("_", " ")), v) for k, v in metrics.items()
            if isinstance(v, (int, float))]


@register.filter
def failure_advice(channel) -> str:
    return ADVICE.get(channel.error_kind, DEFAULT_ADVICE)


@register.filter
def status_class(status: int) -> str:
    return STATUS_CLASS.get(status, "pending")


LIVE_WINDOW = dt.timedelta(minutes=2)


@register.filter
def is_live(post) -> bool:
    """Whether the page should watch this post: it is being sent, or is approved and due about now."""
    if post.status == Post.Status.PROCESSING:
        return True
    if post.status != Post.Status.APPROVED:
        return False
    return post.schedule_at is None or post.schedule_at <= timezone.now() + LIVE_WINDOW
