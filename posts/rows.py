"""A row of a post list and a post's status fragment, built in Python.

The dashboard and the published list show 20 rows a view, each with its status fragment (a badge,
a note and a line per channel), which the live status endpoint and the post page show too. As
templates they cost about 125 microseconds a row, most of a dashboard's rendering: Django's
template engine resolves, localizes and escapes each of a row's 25 values on its own. Built here
with format_html, as Django's admin builds its change list rows, a row costs a fifth of that
(docs/performance.md, "Rows in Python"). The inbox's items are built the same way, with the
post's card as X shows it from posts/x_card.py.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from socialhub.html import format_html, format_html_join
from socials import error_kinds
from socials.error_kinds import ErrorKind

from .models import STATUS_LABELS, Post, PostChannel, prefetch_rows
from .options import PostOptions
from .templatetags.posts_tags import STATUS_CLASS, is_live, metric_items
from .x_card import thread_html

# The columns of a post that rows() and the status fragment read (PostQuerySet.for_list `fields`),
# and an inbox item with its card (inbox_item_html) besides.
ROW_FIELDS = ("task", "content", "hashtags", "status", "schedule_at", "version", "feedback")
CARD_FIELDS = (*ROW_FIELDS, "review_step", *PostOptions.FIELDS)

_PK = 987654321  # a placeholder id in reversed URLs, replaced by each row's own
_PK_TEXT = str(_PK)
WHEN_FORMAT = "j M Y, H:i"


def when(moment) -> str:
    """A time as the lists show it (the viewer's time zone): "1 Dec 2026, 10:00", what
    dateformat.format(WHEN_FORMAT) gives (a test compares them) at a fifth of its cost: a page
    of 20 rows spent about a millisecond in dateformat."""
    local = moment.astimezone(timezone.get_current_timezone())
    return f"{local.day} {_months()[local.month]} {local.year:04d}, {local.hour:02d}:{local.minute:02d}"


_MONTHS: dict[str, dict[int, str]] = {}


def _months() -> dict[int, str]:
    """The months' short names in the active language ("Dec"), translated once per language:
    each of MONTHS_3's lazy names is translated again whenever it is used (about 40 calls a time)."""
    language = get_language()
    names = _MONTHS.get(language)
    if names is None:
        names = _MONTHS[language] = {month: str(name).title() for month, name in MONTHS_3.items()}
    return names


def person(user) -> str:
    """A person's full name, else their username."""
    return user.get_full_name() or user.username


def rows(posts, *, tasks: dict | None = None, thread: bool = False, html: bool = False,
         writer: bool = False) -> list[Post]:
    """A page of posts (PostQuerySet.for_list) with what their rows show read (prefetch_rows,
    `thread`: the thread itself too) and `post.row` set: their links (reversed once per page, not
    once per row), text, client, accounts and schedule; with `html`, `post.html` too: the row as the
    dashboard and the published list show it (`writer`: with its Edit and Write it again links). `tasks`:
    the viewer's tasks by id, with their people, so the posts' own query need not join them."""
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
            "pk": pk, "version": str(post.version),
            **{name: url.replace(_PK_TEXT, pk) for name, url in links.items()},
            "again": f"{compose}?from={pk}",
            "text": post.full_text or "(media only)",
            "client": person(task.user),
            "task": task.title,
            "accounts": ", ".join(str(channel.account) for channel in post.shown_channels),
            "attachments": f"{n_media} attachment{'s' if n_media != 1 else ''}" if n_media else "",
            "parts": n_parts + 1 if n_parts else 0,
            "when": when(post.schedule_at) if post.schedule_at else "",
            "failed": status == Post.Status.FAILED,
            "editable": status in Post.EDITABLE,
        }
        if html:
            post.html = row_html(post.row, live_status_html(post), writer=writer)
    return posts


def joined(posts: list[Post]) -> SafeString:
    """The posts' `html` one after another: a list's rows as one value for its template (a
    `{% for %}` over them cost about 50 calls a row, more than building some of them)."""
    return SafeString("".join(post.html for post in posts))


def row_html(row: dict, status: SafeString, *, writer: bool) -> SafeString:
    """One post's line in a list: its text (linked to the post), who and what it is for, when,
    and its live status (live_status_html)."""
    about = [row["client"], row["task"], row["accounts"]]
    if row["attachments"]:
        about.append(row["attachments"])
    if row["parts"]:
        about.append(f"thread of {row['parts']} parts")
    about.append(f"scheduled {row['when']}" if row["when"] else "as soon as approved")
    links = SafeString()
    if writer and row["failed"]:
        links += format_html('\n  <a class="small" href="{}">Write it again</a>', row["again"])
    if writer and row["editable"]:
        links += format_html('\n  <a class="small" href="{}">Edit</a>', row["edit"])
    return format_html(
        '<li class="post-row">\n  <div class="post-main">\n    <a class="post-text" href="{}">{}</a>\n'
        '    <div class="muted small">For {}</div>\n  </div>\n  {}{}\n</li>',
        row["detail"], row["text"], " · ".join(about), status, links,
    )


def inbox_item_html(post: Post, *, csrf_input: str, next_url: str) -> SafeString:
    """One post waiting for review (rows() with `thread`, and `row["reseller"]` set): a box to
    tick for the bulk review, the post as X shows it, who wrote it for what and when, and one form
    to approve it or reject it with feedback (Approve skips the check that feedback is given)."""
    row = post.row
    card = thread_html(post.thread, channels=post.shown_channels, client=post.task.user)
    when_line = f"to publish {row['when']}" if row["when"] else "published as soon as you approve"
    staff = mark_safe("<br><strong>Staff step</strong>: once you approve, the client is asked.") \
        if post.review_step == Post.ReviewStep.STAFF else ""
    return format_html(
        '<li class="inbox-item">\n'
        '  <label class="check select"><input type="checkbox" name="posts" value="{pk}" form="bulk" data-select> '
        '<span class="visually-hidden">Select post {pk}</span></label>\n'
        '  <input type="hidden" name="version-{pk}" value="{version}" form="bulk">\n'
        '  <div class="inbox-preview">\n{card}\n'
        '    <p class="muted small">From {reseller} · {task} · {when} · to {accounts} · '
        '<a href="{detail}">details</a>{staff}</p>\n  </div>\n'
        '  <form method="post" action="{review}" class="review-actions">{csrf}\n'
        '    <input type="hidden" name="next" value="{next}"><input type="hidden" name="version" value="{version}">\n'
        '    <button type="submit" name="action" value="1" formnovalidate>Approve</button>\n'
        '    <details>\n      <summary>Reject…</summary>\n'
        '      <label for="feedback-{pk}">Feedback for the reseller</label>\n'
        '      <textarea name="feedback" id="feedback-{pk}" rows="3" required></textarea>\n'
        '      <button type="submit" name="action" value="2" class="danger">Reject with feedback</button>\n'
        '    </details>\n  </form>\n</li>',
        pk=row["pk"], version=row["version"], card=card, reseller=row["reseller"], task=row["task"],
        when=when_line, accounts=row["accounts"], detail=row["detail"], staff=staff, review=row["review"],
        csrf=csrf_input, next=next_url,
    )


_SENT = (Post.Status.PROCESSING, Post.Status.PUBLISHED, Post.Status.FAILED)


def live_status_html(post: Post) -> SafeString:
    """A post's status (status_html) in the box the page's script keeps current while the post is
    live (static/js/status.js): in list rows, on the post page and on the reviewed list."""
    return format_html(
        '<div class="post-status" data-post-status data-post-id="{}" data-status="{}" data-live="{}" '
        'aria-live="polite">{}</div>', post.pk, post.status, "1" if is_live(post) else "0", status_html(post))


def status_html(post: Post) -> SafeString:
    """A post's status: its badge; when approved, when it goes out; while sending, so; when
    rejected, the feedback; once sending began, a line per channel (shown_channels)."""
    status = post.status
    html = format_html('<span class="badge {}">{}</span>', STATUS_CLASS.get(status, "pending"),
                       STATUS_LABELS.get(status, status))
    if status == Post.Status.APPROVED:
        note = f"for {when(post.schedule_at)}" if post.schedule_at else "publishing shortly"
        html += format_html('\n<span class="muted">{}</span>', note)
    elif status == Post.Status.PROCESSING:
        html += mark_safe('\n<span class="muted">sending…</span>')
    elif status == Post.Status.REJECTED and post.feedback:
        html += format_html('\n<p class="feedback"><strong>Feedback:</strong> {}</p>', post.feedback)
    if status in _SENT:
        lines = format_html_join("\n", "  <li>{}</li>", ((_channel_line(c),) for c in post.shown_channels))
        html += format_html('\n<ul class="channels">\n{}\n</ul>', lines)
    return html


def _channel_line(channel: PostChannel) -> SafeString:
    """How one channel went: published (linked, with its metrics), failed (why, and what to do),
    or where it stands (waiting for X, the next try, why it is held)."""
    account, state = channel.account, channel.state
    if state == PostChannel.State.PUBLISHED:
        if channel.remote_url:
            line = format_html('<a href="{}" target="_blank" rel="noopener">View on {} as {}</a>',
                               channel.remote_url, account.platform_label, account)
        else:
            line = format_html("Published as {}", account)
        metrics = metric_items(channel.metrics)
        if metrics:
            spans = format_html_join("", "<span>{} {}</span>", ((localize(v), label) for label, v in metrics))
            line += format_html(' <span class="metrics">{}</span>', spans)
        return line
    if state == PostChannel.State.FAILED:
        return format_html('<span class="bad">{}: {}</span> <span class="advice">What to do: {}</span>',
                           account, channel.last_error or "failed", error_kinds.advice(channel.error_kind))
    if state == PostChannel.State.RETRY and channel.error_kind == ErrorKind.RATE_LIMITED:
        return format_html("{}: waiting for X. {}", account, channel.last_error)
    line = format_html("{}: {}", account, channel.public_state_label.lower())
    if state == PostChannel.State.RETRY and channel.next_attempt_at:
        line += format_html(", next try {}", f"{timezone.localtime(channel.next_attempt_at):%H:%M}")
    if state == PostChannel.State.HELD and channel.last_error:
        line += format_html(' <span class="held-reason" data-held-reason>{}</span>', channel.last_error)
    return line
