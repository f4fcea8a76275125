"""Handing approved posts to the publishing pipeline."""

from django.db import transaction
from django.utils import timezone

from .models import Post, PostChannel


def hand_over(post: Post) -> None:
    """Queue an approved post: at once when it is due, else the due-post dispatcher picks it up."""
    post.channels.exclude(state=PostChannel.State.PUBLISHED).update(
        state=PostChannel.State.QUEUED, next_attempt_at=None
    )
    if post.schedule_at is None or post.schedule_at <= timezone.now():
        from django_q.tasks import async_task

        post_id = post.pk
        transaction.on_commit(lambda: async_task("posts.tasks.publish", post_id))
