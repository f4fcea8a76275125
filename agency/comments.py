"""Comments on posts: a thread between the post's reseller, its client and staff.

The thread as shown merges the comments with the post's rejection feedback (posts.ReviewEvent),
so feedback given anywhere (inbox, admin, API, review link) appears in it without being copied.
Comments are plain text: stored as typed, escaped wherever they are shown.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from posts.models import Post, ReviewEvent
from socialhub.errors import NotAllowed

from . import signals
from .models import MAX_COMMENT_LENGTH, Comment, ReviewLink

log = logging.getLogger(__name__)


@dataclass
class ThreadEntry:
    kind: str  # "comment" or "rejection"
    id: int
    author: User
    body: str
    created_at: datetime
    via_link: bool


def can_comment(user: User, post: Post) -> bool:
    return user.is_authenticated and Post.objects.for_user(user).filter(pk=post.pk).exists()


@transaction.atomic
def add_comment(
    *, actor: User | None, post: Post, body: str, link: ReviewLink | None = None, ip_address: str | None = None
) -> Comment:
    """Add a comment. Through a review link (`link`, `actor` None) it is the link's client's.

    Raises NotAllowed (may not see the post, or the post is not the link's) or ValidationError.
    """
    if link is not None:
        if not link.posts.filter(pk=post.pk).exists():
            raise NotAllowed("This post is not part of the link.")
        actor = link.task.user
    elif actor is None or not can_comment(actor, post):
        raise NotAllowed("You cannot comment on this post.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write something."]})
    if len(body) > MAX_COMMENT_LENGTH:
        raise ValidationError({"body": [f"Keep it under {MAX_COMMENT_LENGTH} characters (this is {len(body)})."]})
    comment = Comment.objects.create(post=post, author=actor, body=body, link=link, ip_address=ip_address or None)
    log.info("Comment %s on post %s by %s", comment.pk, post.pk, actor.pk)
    transaction.on_commit(
        lambda: signals.post_commented.send_robust(sender=Comment, post=comment.post, comment=comment)
    )
    return comment


def thread_for(post: Post) -> list[ThreadEntry]:
    """The post's comments and rejection feedback, oldest first."""
    entries = [
        ThreadEntry("comment", c.pk, c.author, c.body, c.created_at, c.link_id is not None)
        for c in post.comments.select_related("author")
    ]
    rejections = post.reviews.filter(action=ReviewEvent.Action.REJECT).exclude(feedback="").select_related("actor")
    entries += [
        ThreadEntry("rejection", r.pk, r.actor, r.feedback, r.created_at, hasattr(r, "link_decision"))
        for r in rejections.select_related("link_decision")
    ]
    return sorted(entries, key=lambda e: (e.created_at, e.kind, e.id))


def recipients_for(comment: Comment) -> list[User]:
    """The other side: the client hears from the reseller and staff; the reseller from the client
    and staff; staff comment to both."""
    task = comment.post.task
    people = [task.user, task.reseller]
    return [p for p in people if p is not None and p.pk != comment.author_id]
