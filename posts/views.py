"""The post pages. Each view loads through Post.objects.for_user, validates a form, calls a service."""

import calendar
import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from content_templates.composer import initial_from_template
from socialhub.errors import InvalidState, NotAllowed
from socialhub.parsing import parse_id, parse_ids

from costs import prices
from costs.selectors import post_spend
from platforms.x.accounts import PROVIDER as X_PROVIDER
from socials.models import Account

from . import counters, errors, preview, rows, services
from . import options as post_options
from .forms import BulkReviewForm, PostForm, ReviewForm, add_service_errors, options_from, thread_parts
from .models import MAX_PARTS, Post, ReviewEvent, TaskAssign, listed_tasks
from .templatetags.posts_tags import is_live

PAGE_SIZE = 20
PART_CONTENT = re.compile(r"^part-(\d+)-content$")


def _page(request, queryset, size: int = PAGE_SIZE, count: int | None = None):
    """One page of `queryset`; `count` when the caller already knows how many rows it has
    (saves the paginator's COUNT(*) over the whole list)."""
    paginator = Paginator(queryset, size)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not queried
    return paginator.get_page(request.GET.get("page"))


def _is_xhr(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _writer_required(user: User) -> None:
    if not (user.is_reseller or user.is_platform_staff):
        raise PermissionDenied("Only resellers write posts.")


def _post_for(request, pk: int) -> Post:
    """The one way a page loads a post: scoped to what the viewer may see, else 404."""
    return get_object_or_404(Post.objects.for_user(request.user).with_relations(), pk=pk)


# --- Reseller pages.


@login_required
def dashboard(request):
    """A reseller's (or staff's) clients, tasks and posts by state."""
    user = request.user
    if user.is_client:
        return redirect("posts:inbox")
    # The tabs (per state), the task cards (per task) and the page count come from the counters
    # the database keeps per (task, state): a few rows, however many posts there are.
    tasks = listed_tasks(user, "user")
    task_ids = None if user.is_platform_staff else [task.pk for task in tasks]
    by_id = {task.pk: task for task in tasks}
    counts, per_task = {}, {}
    for (task_id, state), n in counters.by_task_and_status(user, task_ids).items():
        counts[state] = counts.get(state, 0) + n
        per_task[task_id] = per_task.get(task_id, 0) + n
    for task in tasks:
        task.n_posts = per_task.get(task.pk, 0)
    status = request.GET.get("status", "")
    shown = Post.objects.listed_for(user, task_ids).for_list(join=(), fields=rows.ROW_FIELDS)
    shown_count = sum(counts.values())
    wanted = status if status == "0" else parse_id(status)  # 0 (pending) is a status, not an id
    if wanted is not None and int(wanted) in Post.Status.values:
        shown, shown_count = shown.filter(status=int(wanted)), counts.get(int(wanted), 0)
    page = _page(request, shown, count=shown_count)
    return render(
        request,
        "posts/dashboard.html",
        {
            "states": [(s, counts.get(s.value, 0)) for s in Post.Status],
            "total": sum(counts.values()),
            "status": status,
            "tasks": tasks,
            "page": page,
            "rows_html": rows.joined(rows.rows(page.object_list, tasks=by_id, html=True, writer=True)),
        },
    )


def _viewer_tasks(user, *people: str) -> dict[int, TaskAssign] | None:
    """The viewer's tasks by id with `people` ("user", "reseller") loaded; None for staff (every
    task: their lists join each post's task instead)."""
    if user.is_platform_staff:
        return None
    return {task.pk: task for task in listed_tasks(user, *people, ordered=False)}


def _schedule_value(form) -> str:
    value = form["schedule_at"].value()  # an initial datetime comes already in local time, naive
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime("%Y-%m-%dT%H:%M")
    return value or ""


def _compose_response(request, form, template: str, context: dict):
    """The composer, with the user's input kept and errors next to their fields.

    A scripted submit (XMLHttpRequest) with errors gets 422 so the page swaps in only the errors.
    """
    post = context.get("post")
    accounts = _chosen_accounts(request, form["accounts"].value(), post)
    limit = services.length_limit(accounts)
    draft = preview.describe(form["content"].value() or "", form["hashtags"].value() or "", limit=limit)
    raw = {name: form[name].value() for name in ("poll", "poll_duration", "reply_settings", "quote", "community_id",
                                                  "share_with_followers", "made_with_ai", "paid_partnership")}
    parts = [draft["text"], *(p.get("content", "") for p in thread_parts(request.POST, None))] \
        if request.method == "POST" else [draft["text"], *(p.content for p in post.parts.all())] if post else [draft["text"]]
    context = {
        "form": form,
        "draft": draft,
        "draft_options": _draft_options(raw),
        "estimate": prices.estimate([(text, 0) for text in parts],
                                    accounts=sum(1 for a in accounts if a.provider == X_PROVIDER) or 1),
        "schedule_value": _schedule_value(form),
        "kept_media": list(post.media.all()) if post else [],
        "thread_parts": _parts_context(request, post, context.pop("initial_parts", None), limit=limit),
        "blank_part": {"n": "__N__", "content": "", "id": "", "kept_media": [], "draft": preview.describe("", "")},
        "max_parts": MAX_PARTS,
        "networks": _networks(form),
        **context,
    }
    status = 422 if (_is_xhr(request) and form.errors) else 200
    return render(request, template, context, status=status)


def _networks(form) -> list[dict]:
    """Each network's own text and count, when the client's accounts are on more than one."""
    if len(form.networks) < 2:
        return []
    overrides = {p: form[f"text_{p}"].value() or "" for p, _label in form.networks}
    return preview.networks(list(form.fields["accounts"].queryset), form["content"].value() or "",
                            form["hashtags"].value() or "", overrides, form["accounts"].value() or (),
                            visibility=form["mastodon_visibility"].value() or "public")


def _chosen_accounts(request, ids, post: Post | None) -> list[Account]:
    """The X accounts ticked in the composer (those the person may use), else the post's."""
    ids = [int(i) for i in (ids or []) if str(i).isdigit()]
    if not ids and post is not None:
        return [c.account for c in post.channels.select_related("account")]
    return list(Account.objects.for_user(request.user).filter(pk__in=ids))


def _draft_options(raw: dict):
    """The options as typed so far, for the preview; None while they do not hold together."""
    try:
        return post_options.clean(options_from(raw), has_media=False)
    except ValidationError:
        return None


def _parts_context(request, post: Post | None, initial: list[dict] | None = None, *, limit: int = 280) -> list[dict]:
    """Parts 2..n as the composer shows them: what was posted (files cannot be shown again), or
    the post's own parts when editing, or `initial` (a copy of an earlier post)."""
    if request.method == "POST":
        raw = thread_parts(request.POST, None)
        if "add_part" in request.POST:
            raw.append({"content": ""})
    elif post is not None:
        raw = [{"content": p.content, "id": p.pk} for p in post.parts.all()]
    else:
        raw = initial or []
    existing = {p.pk: p for p in post.parts.all()} if post is not None else {}
    shown = []
    for n, item in enumerate(raw[: MAX_PARTS - 1], start=2):
        part = existing.get(item.get("id"))
        removed = set(item.get("remove_media_ids") or [])
        shown.append({
            "n": n,
            "content": item.get("content", ""),
            "id": part.pk if part else "",
            "kept_media": [m for m in part.media.all() if m.pk not in removed] if part else [],
            "draft": preview.describe(item.get("content", ""), "", limit=limit),
        })
    return shown


def _unbound(request, **kwargs) -> PostForm:
    """The composer with what was typed, unjudged: "Add another part" without JavaScript."""
    data = request.POST
    initial = {name: data.get(name, "") for name in ("task", "content", "hashtags", "when", "schedule_at")}
    initial["accounts"] = data.getlist("accounts")
    return PostForm(user=request.user, initial=initial, **kwargs)


def _done(request, post: Post, message: str):
    messages.success(request, message)
    url = post_url(post)
    if _is_xhr(request):
        return JsonResponse({"redirect": url})
    return redirect(url)


def post_url(post: Post) -> str:
    return reverse("posts:detail", args=[post.pk])


@login_required
def compose(request):
    _writer_required(request.user)
    initial = {}
    start = initial_from_template(request)  # ?template=<id>: content, hashtags and media from a template
    if start.ask_url:
        return redirect(start.ask_url)
    if request.method == "GET":
        initial = {**_initial_from_query(request), **start.initial}
    form = PostForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if "add_part" in request.POST:
        form = _unbound(request)
    elif request.method == "POST" and form.is_valid():
        template_files, template_alts = start.media_files()  # copies, before the uploaded files
        parts = thread_parts(request.POST, request.FILES)
        try:
            post = services.create_post(
                author=request.user,
                task=form.cleaned_data["task"],
                **form.service_kwargs(
                    template_files + form.cleaned_data["media"],
                    template_alts + request.POST.getlist("alt_text"),
                    parts or None,
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except NotAllowed as exc:
            form.add_error("task", str(exc))
        else:
            return _done(request, post, "Post sent to the client for review.")
    return _compose_response(
        request,
        form,
        "posts/compose.html",
        {"draft_key": start.draft_key, "template_start": start, "initial_parts": initial.pop("parts", None)},
    )


def _initial_from_query(request) -> dict:
    """Pre-fill: ?task=<id> picks the task; ?from=<post id> copies an earlier post's text."""
    initial = {}
    tasks = TaskAssign.objects.for_user(request.user)
    task_id = parse_id(request.GET.get("task"))
    if task_id and tasks.filter(pk=task_id).exists():
        initial["task"] = task_id
    elif tasks.count() == 1:
        initial["task"] = tasks.get().pk
    source = parse_id(request.GET.get("from"))
    if source:
        post = Post.objects.for_user(request.user).filter(pk=source).prefetch_related("channels").first()
        if post is not None:
            initial.update(PostForm.initial_for(post), task=post.task_id, when="approval", schedule_at=None)
            initial["parts"] = [{"content": p.content} for p in post.parts.all()]
    return initial


@login_required
def edit(request, pk: int):
    post = _post_for(request, pk)
    if not services.can_edit(request.user, post):
        raise Http404("No post here.")
    if not post.is_editable:
        messages.error(request, f"A post that is {post.get_status_display().lower()} cannot be edited.")
        return redirect(post_url(post))
    form = PostForm(
        request.POST or None, request.FILES or None, user=request.user, post=post,
        initial=PostForm.initial_for(post),
    )
    was_rejected = post.status == Post.Status.REJECTED
    if "add_part" in request.POST:
        form = _unbound(request, post=post)
    elif request.method == "POST" and form.is_valid():
        parts = thread_parts(request.POST, request.FILES)
        try:
            post = services.edit_post(
                actor=request.user,
                post=post,
                remove_media_ids=[m.pk for m in form.cleaned_data["remove_media"]],
                # A thread's parts always go, so parts removed in the composer go too.
                **form.service_kwargs(
                    form.cleaned_data["media"], request.POST.getlist("alt_text"),
                    parts if (parts or post.is_thread) else None,
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except (NotAllowed, InvalidState) as exc:
            form.add_error(None, str(exc))
        else:
            return _done(request, post, "Post saved and sent for review again." if was_rejected else "Post saved.")
    return _compose_response(request, form, "posts/edit.html", {"post": post, "draft_key": f"edit-{post.pk}"})


@login_required
@require_POST
def preview_text(request):
    """The composed text, its weighted length (the server's count) and the preview HTML."""
    accounts = _chosen_accounts(request, request.POST.getlist("accounts"), None)
    limit = services.length_limit(accounts)
    on_x = sum(1 for a in accounts if a.provider == X_PROVIDER)
    data = preview.describe(request.POST.get("content", ""), request.POST.get("hashtags", ""), limit=limit)
    data["html"] = str(preview.text_html(data["text"]))
    # Each later part on its own (no hashtags: those go on part 1), keyed by its field number.
    numbers = sorted({int(m[1]) for key in request.POST if (m := PART_CONTENT.match(key))})[: MAX_PARTS - 1]
    data["parts"] = []
    for n in numbers:
        part = preview.describe(request.POST[f"part-{n}-content"], "", limit=limit)
        data["parts"].append({"n": n, **part, "html": str(preview.text_html(part["text"]))})
    # Each network's own text, count and header, for the accounts ticked (the composer sends them).
    ticked = [pk for pk in map(parse_id, request.POST.getlist("accounts")) if pk is not None]
    accounts = Account.objects.for_user(request.user).filter(pk__in=ticked)
    overrides = {key.removeprefix("text_"): value for key, value in request.POST.items() if key.startswith("text_")}
    data["networks"] = [{k: v for k, v in n.items() if k != "account"} for n in preview.networks(
        accounts, request.POST.get("content", ""), request.POST.get("hashtags", ""), overrides, ticked,
        visibility=request.POST.get("mastodon_visibility") or "public")]
    options = _draft_options(request.POST)
    data["options_html"] = render_to_string("posts/_x_options.html", {"options": options}) if options else ""
    texts = [data["text"], *(part["text"] for part in data["parts"])]
    data["estimate"] = prices.estimate([(text, 0) for text in texts], accounts=on_x or 1).sentence()
    return JsonResponse(data)


# --- Everyone: one post, its live status.


@login_required
def detail(request, pk: int, review_form=None, status: int = 400):
    post = _post_for(request, pk)
    reviews = post.reviews.select_related("actor", "link_decision")
    can_review = services.can_review(request.user, post) and post.status == Post.Status.PENDING
    return render(
        request,
        "posts/detail.html",
        {
            "post": post,
            "cards": preview.post_cards(post),
            "reviews": reviews,
            "can_edit": services.can_edit(request.user, post) and post.is_editable,
            "can_review": can_review,
            "can_retry": services.can_retry(request.user, post) and post.status == Post.Status.FAILED,
            "can_delete": services.can_delete(request.user, post),
            "review_form": review_form or ReviewForm(),
            "estimate": prices.estimate_post(post),
            "spend": post_spend(post),
        },
        status=status if review_form is not None else 200,
    )


@login_required
@require_POST
def retry(request, pk: int):
    """Send a failed post again (its client or staff): services.retry_post."""
    post = _post_for(request, pk)
    try:
        services.retry_post(actor=request.user, post=post)
    except NotAllowed as exc:
        raise Http404(str(exc)) from exc
    except InvalidState as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Post queued for publishing again.")
    return redirect(post_url(post))


@login_required
@require_POST
def delete(request, pk: int):
    """Delete a post that has not gone out to X (its writer or staff): services.delete_post."""
    post = _post_for(request, pk)
    try:
        services.delete_post(actor=request.user, post=post)
    except NotAllowed as exc:
        raise Http404(str(exc)) from exc
    except InvalidState as exc:
        messages.error(request, str(exc))
        return redirect(post_url(post))
    messages.success(request, "Post deleted.")
    return redirect("posts:dashboard")


@login_required
@require_GET
def status(request):
    """The live status of the given posts (?ids=1,2): JSON with each post's status fragment."""
    ids = parse_ids(request.GET.get("ids", ""), limit=100)
    posts = Post.objects.for_user(request.user).filter(pk__in=ids).prefetch_related("channels__account")
    answer = [
        {
            "id": p.pk,
            "status": p.status,
            "label": p.get_status_display(),
            "live": is_live(p),
            "html": rows.status_html(p),
        }
        for p in posts
    ]
    return JsonResponse({"posts": answer})


# --- Client pages: review inbox, reviewed history, published posts.


@login_required
def inbox(request):
    user = request.user
    if user.is_reseller:
        return redirect("posts:dashboard")
    tasks = _viewer_tasks(user, "user", "reseller")
    task_ids = None if tasks is None else list(tasks)
    scope = Post.objects.listed_for(user, task_ids)
    awaiting = Post.objects.awaiting_review_by(user, task_ids)
    # The total from the counters, less the pending posts this person does not decide, each
    # counted through a narrow index: their own (staff who also write; clients write none) and,
    # for a client, those still at the staff step (two-step approval).
    counts = counters.by_task_and_status(user, task_ids)
    waiting = sum(n for (_, state), n in counts.items() if state == Post.Status.PENDING)
    if not user.is_client:
        waiting -= scope.pending().filter(created_by=user).count()
    if not user.is_platform_staff:
        waiting -= scope.pending().filter(review_step=Post.ReviewStep.STAFF).count()
    listed = awaiting.for_list(join=("task__user", "task__reseller") if tasks is None else (), fields=rows.CARD_FIELDS)
    page = _page(request, listed.order_by("schedule_at", "created_at", "pk"), count=waiting)
    shown = rows.rows(page.object_list, tasks=tasks, thread=True)
    # The CSRF field once for the page's 21 forms ({% csrf_token %} builds it again for each).
    csrf, next_url = csrf_input(request), request.get_full_path()
    for post in shown:
        post.row["reseller"] = rows.person(post.task.reseller) if post.task.reseller_id else ""
        post.html = rows.inbox_item_html(post, csrf_input=csrf, next_url=next_url)
    return render(request, "posts/inbox.html", {"page": page, "rows_html": rows.joined(shown), "csrf_input": csrf})


def _review_message(action: int, count: int) -> str:
    verb = "approved" if action == ReviewEvent.Action.APPROVE else "rejected"
    return f"{count} post{'s' if count != 1 else ''} {verb}."


@login_required
@require_POST
def review(request, pk: int):
    post = _post_for(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_post(actor=request.user, post=post, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except NotAllowed as exc:
            raise Http404(str(exc)) from exc
        except errors.Stale as exc:
            # Nothing was reviewed: show the post as it is now, with a form for this version.
            form = ReviewForm({**form.cleaned_data, "version": exc.post.version})
            form.is_valid()
            form.add_error(None, str(exc))
            return detail(request, pk, review_form=form, status=409)
        except InvalidState as exc:
            messages.error(request, str(exc))
            return redirect(post_url(post))
        else:
            messages.success(request, _review_message(form.cleaned_data["action"], 1))
            return redirect(_safe_next(request) or "posts:inbox")
    return detail(request, pk, review_form=form)


def _safe_next(request) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.POST.get("next", "")
    return nxt if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) else ""


@login_required
@require_POST
def bulk_review(request):
    """Approve or reject several posts with one submit; each goes through services.review_post."""
    form = BulkReviewForm(request.POST, user=request.user)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("posts:inbox")
    action, feedback = form.cleaned_data["action"], form.cleaned_data["feedback"]
    if action == ReviewEvent.Action.REJECT and not feedback.strip():
        messages.error(request, "Say why the posts are rejected, so they can be fixed.")
        return redirect("posts:inbox")
    outcome = services.review_posts(
        actor=request.user, posts=form.cleaned_data["posts"], action=action, feedback=feedback,
        version_of=form.version_of,
    )
    for post, reason in outcome.refused:
        messages.warning(request, f"Post {post.pk}: {reason}")
    if outcome.done:
        messages.success(request, _review_message(action, len(outcome.done)))
    return redirect("posts:inbox")


@login_required
def reviewed(request):
    """What the viewer approved or rejected, newest first."""
    events = ReviewEvent.objects.filter(actor=request.user).select_related(
        "post__task__reseller", "post__task__user"
    ).prefetch_related("post__channels__account").order_by("-created_at", "-pk")
    return render(request, "posts/reviewed.html", {"page": _page(request, events)})


@login_required
def published(request):
    user = request.user
    tasks = _viewer_tasks(user, "user")
    task_ids = None if tasks is None else list(tasks)
    posts = Post.objects.listed_for(user, task_ids).published().for_list(
        join=("task__user",) if tasks is None else (), fields=rows.ROW_FIELDS)
    counts = counters.by_task_and_status(user, task_ids)
    total = sum(n for (_, state), n in counts.items() if state == Post.Status.PUBLISHED)
    page = _page(request, posts.order_by("-published_at", "-pk"), count=total)
    shown = rows.rows(page.object_list, tasks=tasks, html=True, writer=not user.is_client)
    return render(request, "posts/published.html", {"page": page, "rows_html": rows.joined(shown)})


# --- Calendar.


# The calendar's grid and its previous/next links reach a month either side of the day shown.
CALENDAR_EARLIEST, CALENDAR_LATEST = dt.date(2, 1, 1), dt.date(9998, 12, 31)


def _parse_day(raw: str | None, today: dt.date) -> dt.date:
    """The day asked for (YYYY-MM-DD), kept within the years the calendar can show; else today."""
    try:
        day = dt.date.fromisoformat(raw) if raw else today
    except ValueError:
        return today
    return min(max(day, CALENDAR_EARLIEST), CALENDAR_LATEST)


@login_required
def calendar_view(request):
    """Scheduled and published posts by day, month or week, optionally for one client."""
    user = request.user
    today = timezone.localdate()
    day = _parse_day(request.GET.get("date"), today)
    mode = "week" if request.GET.get("view") == "week" else "month"
    if mode == "week":
        start = day - dt.timedelta(days=day.weekday())
        weeks = [[start + dt.timedelta(days=i) for i in range(7)]]
        prev_day, next_day = start - dt.timedelta(days=7), start + dt.timedelta(days=7)
        title = f"Week of {start:%d %B %Y}"
    else:
        weeks = calendar.Calendar().monthdatescalendar(day.year, day.month)
        first = day.replace(day=1)
        prev_day = (first - dt.timedelta(days=1)).replace(day=1)
        next_day = (first + dt.timedelta(days=32)).replace(day=1)
        title = f"{first:%B %Y}"
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(weeks[0][0], dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(weeks[-1][-1] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)

    posts = Post.objects.for_user(user).filter(
        Q(status=Post.Status.PUBLISHED, published_at__gte=since, published_at__lt=until)
        | Q(
            status__in=[Post.Status.PENDING, Post.Status.APPROVED, Post.Status.PROCESSING, Post.Status.FAILED],
            schedule_at__gte=since,
            schedule_at__lt=until,
        )
    )
    clients = User.objects.clients().filter(tasks__in=TaskAssign.objects.for_user(user)).distinct().order_by("username")
    client_id = request.GET.get("client", "")
    if parse_id(client_id):
        posts = posts.filter(task__user_id=parse_id(client_id))
    by_day: dict[dt.date, list] = {}
    for post in posts.select_related("task__user").order_by("schedule_at", "published_at"):
        when = post.published_at if post.status == Post.Status.PUBLISHED else post.schedule_at
        post.calendar_time = timezone.localtime(when)
        by_day.setdefault(post.calendar_time.date(), []).append(post)
    for items in by_day.values():
        items.sort(key=lambda p: p.calendar_time)
    grid = [[(d, by_day.get(d, [])) for d in week] for week in weeks]
    return render(
        request,
        "posts/calendar.html",
        {
            "grid": grid,
            "mode": mode,
            "title": title,
            "month": day.month,
            "today": today,
            "day": day,
            "prev_day": prev_day,
            "next_day": next_day,
            "clients": clients if not user.is_client else [],
            "client_id": client_id,
            "weekdays": [calendar.day_abbr[i] for i in range(7)],
        },
    )
