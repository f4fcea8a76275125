"""What a row of a post list shows, worked out once per row in Python.

A list page renders 20 rows; each value a template works out itself (a lookup chain through the
post, its task and its client, a filter, a {% url %}) costs it several times what the same
line of Python does, so the pages get them ready-made: `post.row`, a dict the row templates read
with one lookup per value. The status fragment (posts/_status.html) stays a template: the live
status endpoint sends the same fragment.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3

from .models import Post, prefetch_rows
from .templatetags.posts_tags import is_live

_PK = 987654321  # a placeholder id in reversed URLs, replaced by each row's own
_PK_TEXT = str(_PK)
WHEN_FORMAT = "j M Y, H:i"


def when(moment) -> str:
    """A time as the lists show it (the viewer's time zone): "1 Dec 2026, 10:00", what
    dateformat.format(WHEN_FORMAT) gives (a test compares them) at a fifth of its cost: a page
    of 20 rows spent about a millisecond in dateformat."""
    local = timezone.localtime(moment)
    return f"{local.day} {MONTHS_3[local.month].title()} {local.year:04d}, {local.hour:02d}:{local.minute:02d}"


def person(user) -> str:
    """A person's full name, else their username."""
    return user.get_full_name() or user.username


def rows(posts, *, tasks: dict | None = None, thread: bool = False) -> list[Post]:
    """A page of posts (PostQuerySet.for_list) with what their rows show read (prefetch_rows,
    `thread`: the thread itself too) and `post.row` set: their links (reversed once per page, not
    once per row), text, client, accounts and schedule. `tasks`: the viewer's tasks by id, with
    their people, so the posts' own query need not join them."""
    posts = prefetch_rows(list(posts), thread=thread)
    links = {name: reverse(f"posts:{name}", args=[_PK]) for name in ("detail", "edit", "review")}
    compose = reverse("posts:compose")
    for post in posts:
        if tasks is not None and post.task_id in tasks:  # staff's tasks: one made since is read on its own
            post.task = tasks[post.task_id]
        pk = str(post.pk)
        task, status = post.task, post.status
        n_media, n_parts = post.n_media, post.n_parts
        post.row = {
            # Numbers as text: a template localizes every number it shows, at a cost per number.
            "pk": pk, "status": str(status), "version": str(post.version),
            **{name: url.replace(_PK_TEXT, pk) for name, url in links.items()},
            "again": f"{compose}?from={pk}",
            "text": post.full_text or "(media only)",
            "client": person(task.user),
            "task": task.title,
            "accounts": ", ".join(str(channel.account) for channel in post.shown_channels),
            "attachments": f"{n_media} attachment{'s' if n_media != 1 else ''}" if n_media else "",
            "parts": n_parts + 1 if n_parts else 0,
            "when": when(post.schedule_at) if post.schedule_at else "",
            "live": "1" if is_live(post) else "0",
            "failed": status == Post.Status.FAILED,
            "editable": status in Post.EDITABLE,
        }
    return posts
