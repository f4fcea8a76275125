"""Review links: a client approves or rejects from a signed URL, without logging in.

The URL carries `signing.dumps([id, nonce])` (SECRET_KEY, a salt of its own). It works until
REVIEW_LINK_MAX_AGE_DAYS after it was made, unless revoked. The page's forms carry the version
of the post they showed; a decision on an older version is refused (posts.errors.Stale), so a post
edited since the page was opened is read again before it is decided. A decision is an ordinary
review by the post's client (posts.services.review_post) plus a LinkDecision row recording the
link and the address it came from. Once a post is decided its link shows the decision.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from posts import services as post_services
from posts.errors import Stale
from posts.models import Post, ReviewEvent
from socialhub.errors import InvalidState, NotAllowed

from .models import LinkDecision, ReviewLink

log = logging.getLogger(__name__)

SALT = "agency.review_link"


class InvalidLink(Exception):
    """Forged, expired or revoked. The message says which."""


def max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.REVIEW_LINK_MAX_AGE_DAYS)


def token_for(link: ReviewLink) -> str:
    return signing.dumps([link.pk, link.nonce], salt=SALT, compress=True)


def url_for(link: ReviewLink) -> str:
    return settings.SITE_URL + reverse("agency:review", args=[token_for(link)])


@transaction.atomic
def create_link(*, actor: User | None, posts: list[Post]) -> ReviewLink:
    """A link for these pending posts, all for one client. `actor` None: the system (the
    pending-review email). Raises NotAllowed (a post the actor may not write for) or ValidationError."""
    if not posts:
        raise ValidationError({"posts": ["Pick at least one post."]})
    tasks = {post.task_id: post.task for post in posts}
    clients = {task.user_id for task in tasks.values()}
    if len(clients) > 1:
        raise ValidationError({"posts": ["A review link is for one client: pick posts of one client."]})
    if actor is not None and not all(post_services.can_write_for(actor, task) for task in tasks.values()):
        raise NotAllowed("You can share only your own clients' posts.")
    not_pending = [post.pk for post in posts if post.status != Post.Status.PENDING]
    if not_pending:
        raise ValidationError({"posts": [f"Only posts waiting for review can be shared; not post {not_pending[0]}."]})
    at_staff = [post.pk for post in posts if post.review_step != Post.ReviewStep.CLIENT]
    if at_staff:
        raise ValidationError({"posts": [f"Post {at_staff[0]} waits for staff approval first (two-step policy)."]})
    link = ReviewLink.objects.create(
        task=next(iter(tasks.values())), created_by=actor, expires_at=timezone.now() + max_age()
    )
    link.posts.set(posts)
    log.info("Review link %s for %s post(s) made by %s", link.pk, len(posts), getattr(actor, "pk", "system"))
    return link


@transaction.atomic
def revoke_link(*, actor: User, link: ReviewLink) -> ReviewLink:
    """The link stops working. Raises NotAllowed or InvalidState (already revoked)."""
    if not ReviewLink.objects.for_user(actor).filter(pk=link.pk).exists():
        raise NotAllowed("Not your review link.")
    if link.revoked_at:
        raise InvalidState("This review link is already revoked.")
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    return link


def link_for_token(token: str) -> ReviewLink:
    """The usable link a token stands for. Raises InvalidLink."""
    try:
        pk, nonce = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired:
        raise InvalidLink("This review link has expired. Ask your agency for a new one.") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidLink("This review link is not valid. Check that you copied all of it.") from None
    link = ReviewLink.objects.select_related("task__user", "task__reseller").filter(pk=pk, nonce=nonce).first()
    if link is None or link.revoked_at:
        raise InvalidLink("This review link has been withdrawn. Ask your agency for a new one.")
    if not link.is_usable:
        raise InvalidLink("This review link has expired. Ask your agency for a new one.")
    return link


@transaction.atomic
def decide(
    *, link: ReviewLink, post_id: int, version: int, action: int, feedback: str = "", ip_address: str | None
) -> ReviewEvent:
    """Approve (1) or reject (2) one of the link's posts as its client, on the version shown.

    Raises NotAllowed (not the link's post), Stale (edited since the page was opened),
    InvalidState (already decided, or still at the staff step) or ValidationError (no feedback
    on a rejection).
    """
    post = link.posts.filter(pk=post_id).select_related("task").first()
    if post is None:
        raise NotAllowed("This post is not part of the link.")
    post = Post.objects.select_for_update().select_related("task").get(pk=post.pk)
    if post.status != Post.Status.PENDING:
        raise InvalidState(f"This post is already {post.get_status_display().lower()}; nothing changed.")
    post_services.review_post(actor=post.task.user, post=post, action=action, feedback=feedback, version=version)
    review = ReviewEvent.objects.filter(post=post).latest("pk")
    LinkDecision.objects.create(review=review, link=link, ip_address=ip_address or None)
    log.info("Post %s reviewed through link %s", post.pk, link.pk)
    return review


def url_for_pending(*, client: User, post_ids: list) -> str:
    """A fresh link for those of these posts still pending for this client ("" if none is)."""
    posts = list(
        Post.objects.for_client(client).pending().filter(pk__in=post_ids, review_step=Post.ReviewStep.CLIENT)
        .select_related("task")
    )
    if not posts:
        return ""
    return url_for(create_link(actor=None, posts=posts))
