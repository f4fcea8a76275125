"""Actions on posts: one place each. Pages, the REST API, the admin and tasks all call these.

Services take keyword-only arguments, write inside a transaction, and raise domain errors
(ValidationError, NotAllowed, InvalidState), never HTTP responses.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import User
from platforms.text import HashtagError, compose_text, normalize_hashtags
from platforms.x.text import MAX_WEIGHTED_LENGTH, cashtag_problem, weighted_length
from socialhub.errors import InvalidState, NotAllowed
from socialhub.parsing import parse_id
from socials.error_kinds import NOT_CONNECTED, TOO_LONG, too_long
from socials.models import Account
from socials.publishers import publisher_for

from . import errors, publishing, signals
from . import options as post_options
from .editing import UNSET, check_mix, clean_media, delete_files_on_commit, remove_media, renumber, save_media
from .media import CheckedMedia, check_media
from .models import MAX_PARTS, Post, PostChannel, PostMedia, PostPart, ReviewEvent, TaskAssign
from .options import PostOptions

log = logging.getLogger(__name__)


# --- Who may do what. Views use these too, so every door checks the same way.


def can_write_for(user: User, task: TaskAssign) -> bool:
    """Resellers write for the clients of their own tasks; staff for anyone."""
    if not user.is_authenticated:
        return False
    return user.is_platform_staff or (user.is_reseller and task.reseller_id == user.pk)


def can_edit(user: User, post: Post) -> bool:
    return can_write_for(user, post.task)


def can_retry(user: User, post: Post) -> bool:
    """The client the post was written for, or staff."""
    if not user.is_authenticated:
        return False
    return user.is_platform_staff or (user.is_client and post.task.user_id == user.pk)


def can_review(user: User, post: Post) -> bool:
    """The client the post was written for (at the client step), or staff; never its author."""
    if not user.is_authenticated or post.created_by_id == user.pk:
        return False
    if user.is_platform_staff:
        return True
    return user.is_client and post.task.user_id == user.pk and post.review_step == Post.ReviewStep.CLIENT


# --- Validation shared by create and edit.


def _clean_text(content: str, hashtags, *, x_length: bool = True, limit: int = MAX_WEIGHTED_LENGTH
                ) -> tuple[str, list[str]]:
    """`x_length`: check X's weighted limit here (a post for X only: 280, or `limit` for a Premium
    account); posts with channels leave the length to each channel's platform (_check_platform_rules)."""
    try:
        tags = normalize_hashtags(hashtags)
    except HashtagError as exc:
        raise ValidationError({"hashtags": [str(exc)]}) from exc
    content = (content or "").strip()
    if x_length and weighted_length(compose_text(content, tags)) > limit:
        raise ValidationError({"content": [too_long(limit)]}, code="too_long")
    if problem := cashtag_problem(content):
        raise ValidationError({"content": [problem]}, code="cashtags")
    return content, tags


def length_limit(accounts) -> int:
    """X's weighted limit for a post going to these accounts: the smallest among them (25,000 for a
    Premium account, 280 otherwise)."""
    return min((a.max_weighted_length for a in accounts if a.provider == "twitter"), default=MAX_WEIGHTED_LENGTH)


def _clean_options(raw, *, has_media: bool) -> PostOptions:
    return post_options.clean(raw, has_media=has_media)


def _clean_accounts(task: TaskAssign, account_ids: Sequence) -> list[Account]:
    ids = []
    for raw in account_ids or []:
        pk = parse_id(raw)
        if pk is None:
            raise ValidationError({"post_channels": [f"{raw!r} is not an X account id."]})
        ids.append(pk)
    if not ids:
        raise ValidationError({"post_channels": ["Pick at least one X account to post to."]})
    accounts = list(Account.objects.filter(pk__in=set(ids), user_id=task.user_id))
    if len(accounts) != len(set(ids)):
        raise ValidationError({"post_channels": [NOT_CONNECTED]}, code="not_connected")
    if not any(a.can_post for a in accounts) or any(
        a.state == Account.State.DISCONNECTED for a in accounts
    ):
        raise ValidationError({"post_channels": [NOT_CONNECTED]}, code="not_connected")
    return accounts


MAX_SCHEDULE_AHEAD = timedelta(days=366)  # a year, leap day included


def _clean_schedule(schedule_at: datetime | None) -> datetime | None:
    if schedule_at is None:
        return None
    if timezone.is_naive(schedule_at):
        raise ValidationError({"schedule_at": ["Give the time with its time zone."]})
    now = timezone.now()
    if schedule_at < now:
        raise ValidationError({"schedule_at": ["The scheduled time is in the past."]})
    if schedule_at > now + MAX_SCHEDULE_AHEAD:
        raise ValidationError({"schedule_at": [
            f"Schedule it at most a year ahead, by {timezone.localtime(now + MAX_SCHEDULE_AHEAD):%d %B %Y}."
        ]}, code="too_far_ahead")
    return schedule_at


def _check_quota(client_id: int, media: list[CheckedMedia]) -> None:
    """Refuse media that would take the client's posts past MEDIA_QUOTA_PER_CLIENT."""
    adding = sum(item.size for item in media)
    if not adding:
        return
    used = PostMedia.objects.filter(
        Q(post__task__user_id=client_id) | Q(part__post__task__user_id=client_id)
    ).aggregate(total=Sum("size"))["total"] or 0
    quota = settings.MEDIA_QUOTA_PER_CLIENT
    if used + adding > quota:
        mb = 1024 * 1024
        raise ValidationError({"media": [
            f"This client's posts already keep {used / mb:.0f} MB of media out of {quota / mb:.0f} MB; "
            f"these files ({adding / mb:.1f} MB) do not fit. Delete old posts' media or attach less."
        ]}, code="media_quota")


def _save_media(post: Post | None, media: list[CheckedMedia], *, part: PostPart | None = None, start: int = 0) -> None:
    _check_quota((post or part.post).task.user_id, media)
    save_media(PostMedia, media, start=start, post=None if part else post, part=part)


# --- Threads: part 1 is the post itself; parts 2..n are PostParts.


@dataclass
class _Part:
    """A later part (2..n) as given, checked. `id`: the PostPart it changes (edits only)."""

    position: int
    content: str
    media: list[CheckedMedia]
    id: int | None = None
    remove_media_ids: list[int] = field(default_factory=list)


def _split_parts(parts, content, media_files, alt_texts) -> tuple[str, Sequence, Sequence, list[dict]]:
    """`parts` is the whole thread, part 1 first; it replaces `content`, `media_files` and
    `alt_texts`, which must then be empty. Returns part 1's (content, files, alt texts) and the
    later parts' raw dicts."""
    if parts is None or len(parts) == 0:
        return content, media_files, alt_texts, []
    if (content or "").strip() or media_files:
        raise ValidationError(
            {"parts": ["Give the text either as `content` or as `parts` (part 1 first), not both."]}
        )
    if not all(isinstance(p, dict) for p in parts):
        raise ValidationError({"parts": ['Each part is an object: {"content": "...", "alt_texts": [...]}.']})
    if len(parts) > MAX_PARTS:
        raise ValidationError({"parts": [f"A thread has at most {MAX_PARTS} parts; this one has {len(parts)}."]})
    first = parts[0]
    return first.get("content") or "", first.get("media_files") or (), first.get("alt_texts") or (), list(parts[1:])


def _clean_parts(raw_parts: list[dict]) -> list[_Part]:
    """Check parts 2..n: each with text or media, each with media X takes (their lengths are each
    channel's platform's to judge: _check_platform_rules). Raises ValidationError listing every
    part's problem."""
    problems, cleaned = [], []
    for position, raw in enumerate(raw_parts, start=2):
        content = raw.get("content") or ""
        if not isinstance(content, str):
            problems.append(f"Part {position}: the text must be a string.")
            continue
        content = content.strip()
        try:
            media = check_media(list(raw.get("media_files") or []), list(raw.get("alt_texts") or []))
        except ValidationError as exc:
            problems.extend(f"Part {position}: {m}" for m in exc.messages)
            media = []
        if problem := cashtag_problem(content):
            problems.append(f"Part {position}: {problem}")
        part_id = raw.get("id")
        if part_id is not None and not parse_id(str(part_id)):
            problems.append(f"Part {position}: {part_id!r} is not a part id.")
            part_id = None
        if not content and not media and not part_id:
            problems.append(f"Part {position} is empty: write some text or attach media.")
        remove = [pk for pk in (parse_id(str(r)) for r in raw.get("remove_media_ids") or []) if pk]
        cleaned.append(_Part(position, content, media, parse_id(str(part_id)) if part_id else None, remove))
    if problems:
        raise ValidationError({"parts": problems})
    return cleaned


def _save_parts(post: Post, parts: list[_Part]) -> None:
    """Make the post's later parts exactly `parts`: parts named by id keep their (unremoved)
    media and move to their new position; the others are created; parts not named go."""
    existing = {p.pk: p for p in post.parts.all()}
    unknown = [p.id for p in parts if p.id is not None and p.id not in existing]
    if unknown:
        raise ValidationError({"parts": [f"Part id {pk} is not a part of this post." for pk in unknown]})
    kept = {p.id for p in parts if p.id is not None}
    remove_media(PostMedia.objects.filter(part__post=post).exclude(part__in=kept))
    post.parts.exclude(pk__in=kept).delete()
    for part in parts:  # out of the way first: (post, position) is unique
        if part.id is not None:
            PostPart.objects.filter(pk=part.id).update(position=1000 + part.position)
    problems = []
    for part in parts:
        if part.id is None:
            row = PostPart.objects.create(post=post, position=part.position, content=part.content)
            kept_media = []
        else:
            row = existing[part.id]
            row.position, row.content = part.position, part.content
            row.save(update_fields=["position", "content"])
            if part.remove_media_ids:
                remove_media(row.media.filter(pk__in=part.remove_media_ids))
            kept_media = list(row.media.all())
        try:
            check_mix(kept_media, part.media)
        except ValidationError as exc:
            problems.extend(f"Part {part.position}: {m}" for m in exc.messages)
            continue
        _save_media(post, part.media, part=row, start=len(kept_media))
        if not row.content and not row.media.exists():
            problems.append(f"Part {part.position} is empty: write some text or attach media.")
    if problems:
        raise ValidationError({"parts": problems})


def _check_platform_rules(post: Post) -> None:
    """Each channel's platform's own rules, checked while writing, never first at publish time:
    its length rule on every part (X's weighted 280, Mastodon's instance limit, Bluesky's 300
    graphemes; part 1 with that platform's own text when the post has one) and the media it
    takes. Raises ValidationError naming the platform's reason (part 1's under "content", a
    per-network text's under "text_overrides.<provider>", later parts' under "parts"). Call it with the
    post saved, inside the writing transaction: raising undoes the write."""
    accounts = {}
    for channel in post.channels.select_related("account"):
        # One account per platform (and server), and per X length limit: a post to a Premium and a
        # basic X account keeps to the smaller limit.
        account = channel.account
        accounts.setdefault((account.provider, account.server_url, account.max_weighted_length), account)
    found: dict[str, list[str]] = {}
    for account in accounts.values():
        publisher = publisher_for(account.provider)
        own_text = bool((post.text_overrides or {}).get(account.provider))
        thread = post.thread_for(account.provider)
        if problem := publisher.thread_problem(account, len(thread)):
            found.setdefault("parts", []).append(problem)
        for part in thread:
            where = "parts" if part.position > 1 else f"text_overrides.{account.provider}" if own_text else "content"
            prefix = f"Part {part.position}: " if part.position > 1 else ""
            if problem := publisher.length_problem(account, part.text):
                found.setdefault(where, []).append(prefix + problem)
            # Asked with no media too: a platform may need some (Instagram takes no text-only posts).
            if problem := publisher.media_problem(account, part.media):
                found.setdefault("media", []).append(prefix + problem)
    if found:
        found = {name: list(dict.fromkeys(messages)) for name, messages in found.items()}
        raise ValidationError(found, code="too_long" if set(found) - {"media"} else "media")


def _clean_overrides(overrides, accounts: list[Account]) -> dict:
    """Per-network texts for the networks the post goes to; blank ones and other networks' dropped."""
    providers = {a.provider for a in accounts}
    cleaned = {}
    for provider, text in dict(overrides or {}).items():
        text = (text or "").strip() if isinstance(text, str) else ""
        if text and provider in providers:
            cleaned[provider] = text
    return cleaned


def _set_channels(post: Post, accounts: list[Account]) -> None:
    wanted = {a.pk for a in accounts}
    post.channels.exclude(account_id__in=wanted).delete()
    have = set(post.channels.values_list("account_id", flat=True))
    PostChannel.objects.bulk_create(
        PostChannel(post=post, account=a) for a in accounts if a.pk not in have
    )


# --- Actions.


AUTO_APPROVED = "Approved when submitted: this client's approval policy is automatic."


def _submit(post: Post, *, author: User) -> None:
    """Send a new or changed post to its first review step, as the task's approval policy says:
    the client (tell them), staff first (two steps), or approved at once (auto)."""
    policy = TaskAssign.objects.values_list("approval_policy", flat=True).get(pk=post.task_id)  # as it is now
    if policy == TaskAssign.ApprovalPolicy.AUTO:
        now = timezone.now()
        post.status, post.review_step = Post.Status.APPROVED, Post.ReviewStep.CLIENT
        post.feedback, post.reviewed_by, post.reviewed_at = "", author, now
        post.save(update_fields=["status", "review_step", "feedback", "reviewed_by", "reviewed_at", "updated_at"])
        review = ReviewEvent.objects.create(
            post=post, actor=author, action=ReviewEvent.Action.APPROVE, step=ReviewEvent.Step.AUTO,
            feedback=AUTO_APPROVED, version=post.version,
        )
        signals.send_on_commit(signals.post_reviewed, post=post, review=review)
        publishing.hand_over(post)
        return
    first = Post.ReviewStep.STAFF if policy == TaskAssign.ApprovalPolicy.TWO_STEPS else Post.ReviewStep.CLIENT
    post.status, post.review_step = Post.Status.PENDING, first
    post.save(update_fields=["status", "review_step", "updated_at"])
    if first == Post.ReviewStep.CLIENT:
        signals.send_on_commit(signals.post_submitted, post=post)


@transaction.atomic
def create_post(
    *,
    author: User,
    task: TaskAssign,
    content: str = "",
    hashtags=None,
    account_ids: Sequence = (),
    schedule_at: datetime | None = None,
    media_files: Sequence = (),
    alt_texts: Sequence[str] = (),
    parts: Sequence[dict] | None = None,
    text_overrides: dict | None = None,
    options: dict | None = None,
) -> Post:
    """Create a pending post for the task's client. Raises NotAllowed or ValidationError.

    `text_overrides`: {provider: text} replacing the text on that network's accounts.
    `options`: what X lets a post be besides text (posts/options.py: poll, reply_settings, quote,
    community_id, share_with_followers, made_with_ai, paid_partnership), checked here.

    A thread: `parts` lists every part in order, part 1 first, each
    `{"content": str, "media_files": [...], "alt_texts": [...]}` (at most 25 parts); `content`
    and `media_files` are then left empty. Hashtags go on part 1. Without `parts`, a single post.
    """
    if not can_write_for(author, task):
        raise NotAllowed("You can write posts only for the clients of your own tasks.")
    content, media_files, alt_texts, later = _split_parts(parts, content, media_files, alt_texts)
    content, tags = _clean_text(content, hashtags, x_length=False)
    media = clean_media(media_files, alt_texts)
    if not content and not tags and not media:
        raise ValidationError({"content": ["Write some text or attach media."]})
    later_parts = _clean_parts(later)
    accounts = _clean_accounts(task, account_ids)
    chosen = _clean_options(options, has_media=bool(media))
    schedule_at = _clean_schedule(schedule_at)
    post = Post(
        task=task, created_by=author, content=content, hashtags=tags, schedule_at=schedule_at,
        text_overrides=_clean_overrides(text_overrides, accounts),
    )
    chosen.apply(post)
    post.save()
    _set_channels(post, accounts)
    _save_media(post, media)
    if later_parts:
        _save_parts(post, later_parts)
    _check_platform_rules(post)
    log.info("Post %s created by %s for client %s (%d part(s))", post.pk, author.pk, task.user_id, 1 + len(later_parts))
    _submit(post, author=author)
    return post


SENT_STATES = (PostChannel.State.SENDING, PostChannel.State.UNKNOWN, PostChannel.State.PUBLISHED)


def is_sent(post: Post) -> bool:
    """Whether any of the post's channels has gone out to X, or may have: sending, outcome
    unknown, published, or a thread with a part on X. Uses prefetched channels when there."""
    if post.status in (Post.Status.PROCESSING, Post.Status.PUBLISHED):
        return True
    return any(c.state in SENT_STATES or c.remote_id for c in post.channels.all())


def can_delete(user: User, post: Post) -> bool:
    """Its writer (or staff), while nothing of it went out to X."""
    return can_edit(user, post) and not is_sent(post)


@transaction.atomic
def delete_post(*, actor: User, post: Post) -> None:
    """Delete a post that has not gone out to X, with its media files. Raises NotAllowed or InvalidState."""
    post = Post.objects.select_for_update().select_related("task").get(pk=post.pk)
    if not can_edit(actor, post):
        raise NotAllowed("You cannot delete this post.")
    if is_sent(post):
        raise InvalidState(
            f"A post that is {post.get_status_display().lower()} or already sent to X cannot be deleted."
        )
    media = [*post.media.all(), *PostMedia.objects.filter(part__post=post)]
    post.delete()
    delete_files_on_commit(media)  # the rows go with the transaction; the files once it commits
    log.info("Post %s deleted by %s", post.pk, actor.pk)


@transaction.atomic
def assign_task(
    *, actor: User, client: User, reseller: User | None = None, title: str, brief: str = "",
    approval_policy: str = TaskAssign.ApprovalPolicy.CLIENT,
) -> TaskAssign:
    """Link a reseller to a client. Staff assign anyone; a reseller adds a task for one of their
    own clients (for themselves only). Raises NotAllowed or ValidationError."""
    if not actor.is_authenticated or not (actor.is_platform_staff or actor.is_reseller):
        raise NotAllowed("Only staff and resellers create tasks.")
    if actor.is_reseller:
        if reseller not in (None, actor) or not User.objects.clients_of(actor).filter(pk=client.pk).exists():
            raise NotAllowed("Resellers create tasks only for their own clients.")
        reseller = actor
    problems = {}
    if not client.is_client:
        problems["user"] = ["Pick a client: the person who owns the X accounts."]
    if reseller is None or not reseller.is_reseller:
        problems["reseller"] = ["Pick a reseller."]
    if not (title or "").strip():
        problems["title"] = ["Give the task a title."]
    if approval_policy not in TaskAssign.ApprovalPolicy.values:
        problems["approval_policy"] = [f"Pick one of: {', '.join(TaskAssign.ApprovalPolicy.values)}."]
    if problems:
        raise ValidationError(problems)
    task = TaskAssign.objects.create(
        user=client, reseller=reseller, title=title.strip(), brief=brief or "", approval_policy=approval_policy
    )
    log.info("Task %s: reseller %s for client %s, by %s", task.pk, reseller.pk, client.pk, actor.pk)
    return task


TASK_CLIENT_FIXED = (
    "This task already has posts, written for its client's X accounts, so its client cannot change. "
    "Assign a new task for the other client instead."
)


def check_task_client(task: TaskAssign, client: User) -> None:
    """A task's client is fixed once it has posts (they publish to that client's accounts, and
    the client is who reviews them). Raises ValidationError on `user`."""
    if task.pk and client.pk != task.user_id and task.posts.exists():
        raise ValidationError({"user": [TASK_CLIENT_FIXED]}, code="task_client_fixed")


@transaction.atomic
def update_task(
    *, actor: User, task: TaskAssign, client: User | None = None, reseller: User | None = None,
    title: str | None = None, brief: str | None = None, approval_policy: str | None = None,
) -> TaskAssign:
    """Change a task; only the fields given change. Staff change anything; the task's own reseller
    its title, brief and approval policy (a new policy applies to posts submitted from then on).
    Raises NotAllowed or ValidationError."""
    own_reseller = actor.is_authenticated and actor.is_reseller and task.reseller_id == actor.pk
    if not (actor.is_authenticated and (actor.is_platform_staff or own_reseller)):
        raise NotAllowed("Only staff and the task's reseller change tasks.")
    if not actor.is_platform_staff and (client is not None or reseller is not None):
        raise NotAllowed("Only staff change a task's client or reseller.")
    task = TaskAssign.objects.select_for_update().get(pk=task.pk)
    problems = {}
    if client is not None:
        if not client.is_client:
            problems["user"] = ["Pick a client: the person who owns the X accounts."]
        else:
            try:
                check_task_client(task, client)
            except ValidationError as exc:
                problems.update(exc.message_dict)
        task.user = client
    if reseller is not None:
        if not reseller.is_reseller:
            problems["reseller"] = ["Pick a reseller."]
        task.reseller = reseller
    if title is not None:
        if not title.strip():
            problems["title"] = ["Give the task a title."]
        task.title = title.strip()
    if brief is not None:
        task.brief = brief
    if approval_policy is not None:
        if approval_policy not in TaskAssign.ApprovalPolicy.values:
            problems["approval_policy"] = [f"Pick one of: {', '.join(TaskAssign.ApprovalPolicy.values)}."]
        task.approval_policy = approval_policy
    if problems:
        raise ValidationError(problems)
    task.save()
    log.info("Task %s changed by %s", task.pk, actor.pk)
    return task


@transaction.atomic
def delete_task(*, actor: User, task: TaskAssign) -> None:
    """Delete a task that has no posts (posts keep their task). Raises NotAllowed or InvalidState."""
    if not (actor.is_authenticated and actor.is_platform_staff):
        raise NotAllowed("Only staff delete tasks.")
    if task.posts.exists():
        raise InvalidState("A task with posts cannot be deleted; delete its posts first.")
    task.delete()


@transaction.atomic
def edit_post(
    *,
    actor: User,
    post: Post,
    content=UNSET,
    hashtags=UNSET,
    account_ids=UNSET,
    schedule_at=UNSET,
    media_files=None,
    alt_texts: Sequence[str] = (),
    remove_media_ids: Sequence[int] = (),
    parts=UNSET,
    text_overrides=UNSET,
    options=UNSET,
) -> Post:
    """Change a pending or rejected post; a rejected post goes back to pending review.

    Only the given fields change. New media files are added after the kept ones.
    `parts`, when given, is the whole thread, part 1 first (see create_post); a later part may
    name the PostPart it changes with `"id"` (its media are kept, less `"remove_media_ids"`,
    plus its new `"media_files"`); later parts not named are removed. `[]` or one part makes
    the post a single post again.
    Raises NotAllowed, InvalidState or ValidationError.
    """
    post = Post.objects.select_for_update().select_related("task").get(pk=post.pk)
    if not can_edit(actor, post):
        raise NotAllowed("You cannot edit this post.")
    if not post.is_editable:
        raise InvalidState(
            f"A post that is {post.get_status_display().lower()} cannot be edited."
        )
    later_parts = None
    if parts is not UNSET:
        if parts:
            content, media_files, alt_texts, later = _split_parts(
                parts, "" if content is UNSET else content, media_files, alt_texts
            )
            remove_media_ids = [*remove_media_ids, *(parts[0].get("remove_media_ids") or [])]
        else:
            later = []
        later_parts = _clean_parts(later)
    new_content = post.content if content is UNSET else content
    new_tags = post.hashtags if hashtags is UNSET else hashtags
    post.content, post.hashtags = _clean_text(new_content, new_tags, x_length=False)
    if account_ids is not UNSET:
        _set_channels(post, _clean_accounts(post.task, account_ids))
    if text_overrides is not UNSET or account_ids is not UNSET:
        chosen = [c.account for c in post.channels.select_related("account")]
        wanted = post.text_overrides if text_overrides is UNSET else text_overrides
        post.text_overrides = _clean_overrides(wanted, chosen)
    if schedule_at is not UNSET:
        post.schedule_at = _clean_schedule(schedule_at)
    if remove_media_ids:
        remove_media(post.media.filter(pk__in=remove_media_ids))
    kept = list(post.media.all())
    new_media = clean_media(media_files, alt_texts)
    if new_media:
        check_mix(kept, new_media)
        _save_media(post, new_media, start=len(kept))
    renumber(post.media.all())
    has_media = post.media.exists()
    if not post.content and not post.hashtags and not has_media:
        raise ValidationError({"content": ["Write some text or attach media."]})
    # Checked again even when unchanged: new media may not sit beside a poll or a quote.
    raw_options = post_options.as_input(post.options) if options is UNSET else options
    _clean_options(raw_options, has_media=has_media).apply(post)
    if later_parts is not None:
        _save_parts(post, later_parts)
    _check_platform_rules(post)
    resubmitted = post.status == Post.Status.REJECTED
    restart = resubmitted or post.review_step != _first_step(post.task)
    post.version += 1  # a review of the version before this edit no longer applies
    post.save()
    if restart:  # a rejected post, or one staff already passed: the changed text starts the review again
        _submit(post, author=actor)
    return post


def _first_step(task: TaskAssign) -> str:
    two = task.approval_policy == TaskAssign.ApprovalPolicy.TWO_STEPS
    return Post.ReviewStep.STAFF if two else Post.ReviewStep.CLIENT


@transaction.atomic
def review_post(*, actor: User, post: Post, action: int, feedback: str = "", version: int | None = None) -> Post:
    """Approve (1) or reject (2) a pending post. Approving hands it to publishing after commit.

    `version` is the Post.version the reviewer was shown: if the post was edited since, nothing
    is reviewed and Stale (an InvalidState) is raised. Every door a person reviews through (page,
    inbox, admin, API) passes it; None reviews whatever is current (scripts and tests only).
    Raises NotAllowed, InvalidState (Stale) or ValidationError.
    """
    post = Post.objects.select_for_update().select_related("task").get(pk=post.pk)
    if not can_review(actor, post):
        if actor.is_authenticated and post.task.user_id == actor.pk and post.review_step == Post.ReviewStep.STAFF:
            raise InvalidState("Staff review this post first; it comes to you once they approve it.")
        raise NotAllowed("Only the client or staff can review this post, not its author.")
    try:
        action = ReviewEvent.Action(int(action))
    except (TypeError, ValueError):
        raise ValidationError({"action": ["Use 1 to approve or 2 to reject."]}) from None
    feedback = (feedback or "").strip()
    if post.status != Post.Status.PENDING:
        raise InvalidState(
            f"Only posts pending approval can be reviewed; this one is {post.get_status_display().lower()}."
        )
    if version is not None and int(version) != post.version:
        raise errors.Stale(post)
    if action == ReviewEvent.Action.REJECT and not feedback:
        raise ValidationError({"feedback": ["Say why the post is rejected, so it can be fixed."]})
    now = timezone.now()
    step = post.review_step
    if step == Post.ReviewStep.STAFF and action == ReviewEvent.Action.APPROVE:
        # Two steps: staff passed it; now it waits for the client (who is told now, not before).
        post.review_step, post.reviewed_by, post.reviewed_at = Post.ReviewStep.CLIENT, actor, now
        post.save(update_fields=["review_step", "reviewed_by", "reviewed_at", "updated_at"])
        ReviewEvent.objects.create(post=post, actor=actor, action=action, step=step, feedback=feedback, version=post.version)
        log.info("Post %s passed the staff step (by %s)", post.pk, actor.pk)
        signals.send_on_commit(signals.post_submitted, post=post)
        return post
    post.status = Post.Status.APPROVED if action == ReviewEvent.Action.APPROVE else Post.Status.REJECTED
    post.feedback, post.reviewed_by, post.reviewed_at = feedback, actor, now
    post.save(update_fields=["status", "feedback", "reviewed_by", "reviewed_at", "updated_at"])
    review = ReviewEvent.objects.create(
        post=post, actor=actor, action=action, step=step, feedback=feedback, version=post.version
    )
    log.info("Post %s %s by %s", post.pk, action.label.lower(), actor.pk)
    signals.send_on_commit(signals.post_reviewed, post=post, review=review)
    if action == ReviewEvent.Action.APPROVE:
        publishing.hand_over(post)
    return post


@dataclass
class Outcome:
    """What a service did to several objects: those it went through for, and why the others not."""

    done: list = field(default_factory=list)
    refused: list[tuple[object, str]] = field(default_factory=list)


def for_each(objects, action: Callable[[object], object]) -> Outcome:
    """Run a service on each object, each in its own transaction: a refusal (NotAllowed,
    InvalidState, ValidationError) stops only that one. The bulk doors (the inbox, the admin) use it."""
    outcome = Outcome()
    for obj in objects:
        try:
            action(obj)
        except (NotAllowed, InvalidState) as exc:
            outcome.refused.append((obj, str(exc)))
        except ValidationError as exc:
            outcome.refused.append((obj, " ".join(exc.messages)))
        else:
            outcome.done.append(obj)
    return outcome


def review_posts(
    *, actor: User, posts, action: int, feedback: str = "", version_of: Callable[[Post], int | None]
) -> Outcome:
    """Review several posts alike, each as the version its reviewer was shown (`version_of`)."""
    return for_each(
        posts,
        lambda post: review_post(actor=actor, post=post, action=action, feedback=feedback, version=version_of(post)),
    )


@transaction.atomic
def retry_post(*, actor: User, post: Post) -> Post:
    """Try a failed post again: its unpublished channels are queued afresh (attempts reset) and
    it is published at once, or at its scheduled time if that is still ahead.

    Raises NotAllowed (not the post's client nor staff) or InvalidState (not failed).
    """
    post = Post.objects.select_for_update().select_related("task").get(pk=post.pk)
    if not can_retry(actor, post):
        raise NotAllowed("Only the client or staff can retry this post.")
    if post.status != Post.Status.FAILED:
        raise InvalidState(
            f"Only failed posts can be retried; this one is {post.get_status_display().lower()}."
        )
    publishing.retry(post)
    log.info("Post %s retried by %s", post.pk, actor.pk)
    return post


DIRECT_TASK_TITLE = "Published directly"


def _direct_account(client: User, account_id) -> Account:
    accounts = Account.objects.filter(user=client, provider="twitter").exclude(
        state=Account.State.DISCONNECTED
    )
    if account_id not in (None, ""):
        account = accounts.filter(pk=parse_id(account_id) or 0).first()
    else:  # the client's account that can post, else whichever they have (to say why it cannot)
        account = sorted(accounts, key=lambda a: (not a.can_post, a.pk))[0] if accounts else None
    if account is None:
        raise ValidationError({"accountId": [NOT_CONNECTED]}, code="not_connected")
    return account


@transaction.atomic
def _create_direct_post(*, client: User, account: Account, content: str, tags: list[str], media) -> Post:
    task = TaskAssign.objects.filter(user=client, reseller__isnull=True).first() or TaskAssign.objects.create(
        user=client, reseller=None, title=DIRECT_TASK_TITLE
    )
    now = timezone.now()
    post = Post.objects.create(
        task=task, created_by=client, content=content, hashtags=tags,
        status=Post.Status.APPROVED, reviewed_by=client, reviewed_at=now,
    )
    ReviewEvent.objects.create(
        post=post, actor=client, action=ReviewEvent.Action.APPROVE, feedback="Published directly by the client.",
        version=post.version,
    )
    # Marked dispatched: this request publishes it; the dispatcher only steps in if it cannot finish.
    PostChannel.objects.create(post=post, account=account, dispatched_at=now)
    _save_media(post, media)
    return post


def publish_now(
    *,
    client: User,
    content: str,
    hashtags=None,
    media_files: Sequence = (),
    alt_texts: Sequence[str] = (),
    account_id=None,
) -> Post:
    """A client publishes on their own X account at once (POST /socials/publish/twitter).

    The post is recorded like any other (under the client's "Published directly" task, approved
    by the client) and goes through the same pipeline, synchronously with a short timeout; if X
    cannot be reached in time, the workers finish it. Returns the post with its channel as left.
    Raises ValidationError, NotAllowed, or PublishError when the account cannot post at all.
    """
    if not client.is_authenticated or not client.is_client:
        raise NotAllowed("Only a client publishes directly, on their own X account.")
    try:  # a Premium account may post long; without an account, the refusal below says why
        limit = _direct_account(client, account_id).max_weighted_length
    except ValidationError:
        limit = MAX_WEIGHTED_LENGTH
    content, tags = _clean_text(content, hashtags, limit=limit)
    media = clean_media(media_files, alt_texts)
    if not content and not tags and not media:
        raise ValidationError({"content": ["Write some text or attach media."]})
    account = _direct_account(client, account_id)
    publisher_for(account.provider).check(account, text=compose_text(content, tags))  # before any record
    post = _create_direct_post(client=client, account=account, content=content, tags=tags, media=media)
    log.info("Post %s published directly by client %s", post.pk, client.pk)
    return publishing.publish_post(post_id=post.pk, timeout=settings.PUBLISH_SYNC_TIMEOUT)
