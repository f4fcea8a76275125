"""Receivers of the posts' signals (sent after commit): must not raise."""

import logging

from posts import signals as post_signals

from . import analytics

log = logging.getLogger(__name__)


def on_post_published(sender, post, **kwargs):
    try:
        analytics.schedule_first_read(post_id=post.pk)
    except Exception:  # the post is on X already; the hourly read will get its numbers
        log.exception("First metrics read of post %s not scheduled", post.pk)


def connect() -> None:
    post_signals.post_published.connect(on_post_published, dispatch_uid="socials.first_metrics")
