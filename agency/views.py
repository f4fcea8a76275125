"""Agency pages: resellers invite clients and keep their tasks; an invited client accepts."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from posts import preview
from posts import services as post_services
from posts.models import Post, TaskAssign
from socialhub.errors import InvalidState, NotAllowed
from socialhub.parsing import parse_id

from . import comments, invitations, review_links, x_apps
from .forms import AcceptForm, InvitationForm, RenameTaskForm, TaskForm, XAppForm
from .models import ClientXApp, Invitation, ReviewLink


def _resellers_only(request) -> None:
    if not request.user.is_reseller:
        raise Http404


@login_required
def invitation_list(request):
    """A reseller's invitations; staff see everyone's."""
    if not (request.user.is_reseller or request.user.is_platform_staff):
        raise Http404
    rows = Invitation.objects.for_user(request.user).select_related("reseller", "client")
    return render(request, "agency/invitations.html", {"invitations": rows})


@login_required
def invite(request):
    """The "Invite a client" page."""
    _resellers_only(request)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invite_client(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}. The link works once, for 7 days.")
            return redirect("agency:invitations")
    return render(request, "agency/invite.html", {"form": form}, status=400 if form.errors else 200)


def _invitation_action(request, pk: int, action, done: str):
    invitation = get_object_or_404(Invitation.objects.for_user(request.user), pk=pk)
    try:
        action(actor=request.user, invitation=invitation)
    except (InvalidState, NotAllowed) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done.format(email=invitation.email))
    return redirect("agency:invitations")


@login_required
@require_POST
def resend(request, pk: int):
    return _invitation_action(request, pk, invitations.resend_invitation, "A new link was sent to {email}; the old one no longer works.")


@login_required
@require_POST
def revoke(request, pk: int):
    return _invitation_action(request, pk, invitations.revoke_invitation, "The invitation to {email} is revoked.")


def accept(request, token: str):
    """The link in the invitation email: the client chooses a username and password."""
    try:
        invitation = invitations.invitation_for_token(token)
    except invitations.InvalidLink as exc:
        return render(request, "agency/accept_invalid.html", {"reason": str(exc)}, status=410)
    initial = {"username": invitation.email.split("@")[0]}
    form = AcceptForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            client = invitations.accept_invitation(
                token=token, username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
            )
        except invitations.InvalidLink as exc:
            return render(request, "agency/accept_invalid.html", {"reason": str(exc)}, status=410)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, client, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome to SocialHub. Connect your X account so your agency can post for you.")
            return redirect("socials:accounts")
    context = {"form": form, "invitation": invitation}
    return render(request, "agency/accept.html", context, status=400 if form.errors else 200)


# --- A reseller's tasks: one per client they work for.


@login_required
def task_list(request):
    _resellers_only(request)
    pending = Count("posts", filter=Q(posts__status=Post.Status.PENDING, posts__review_step=Post.ReviewStep.CLIENT))
    tasks = (
        TaskAssign.objects.for_user(request.user).select_related("user").annotate(pending=pending)
        .order_by("user__username", "title")
    )
    return render(request, "agency/tasks.html", {"tasks": tasks})


@login_required
def task_new(request):
    _resellers_only(request)
    form = TaskForm(request.POST or None, reseller=request.user, initial={"user": request.GET.get("client")})
    if request.method == "POST" and form.is_valid():
        try:
            task = post_services.assign_task(actor=request.user, client=form.cleaned_data["user"], **{
                k: form.cleaned_data[k] for k in ("title", "brief", "approval_policy")})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Task \u201c{task.title}\u201d added for {task.user}.")
            return redirect("agency:tasks")
    return render(request, "agency/task_form.html", {"form": form, "title": "New task"}, status=400 if form.errors else 200)


@login_required
def task_edit(request, pk: int):
    _resellers_only(request)
    task = get_object_or_404(TaskAssign.objects.for_user(request.user).select_related("user"), pk=pk)
    form = RenameTaskForm(request.POST or None, instance=task)
    if request.method == "POST" and form.is_valid():
        try:
            post_services.update_task(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Task saved.")
            return redirect("agency:tasks")
    return render(request, "agency/task_form.html", {"form": form, "task": task, "title": f"Rename task for {task.user}"},
                  status=400 if form.errors else 200)


# --- Review links: made by resellers, used by clients without logging in.


def _client_ip(request) -> str | None:
    # REMOTE_ADDR is the peer; behind a proxy, configure it to pass the client's (docs/deploy.md).
    return request.META.get("REMOTE_ADDR") or None


@login_required
@require_POST
def review_link_new(request):
    """Make a link for the posted post ids (one post, or a task's pending batch)."""
    if not (request.user.is_reseller or request.user.is_platform_staff):
        raise Http404
    ids = [pk for pk in map(parse_id, request.POST.getlist("post")) if pk is not None]
    task_id = parse_id(request.POST.get("task"))
    if task_id is not None:
        task = get_object_or_404(TaskAssign.objects.for_user(request.user), pk=task_id)
        ids += list(task.posts.pending().filter(review_step=Post.ReviewStep.CLIENT).values_list("pk", flat=True))
    posts = list(Post.objects.for_user(request.user).filter(pk__in=ids).select_related("task"))
    try:
        link = review_links.create_link(actor=request.user, posts=posts)
    except (ValidationError, NotAllowed) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(request.POST.get("next") or "agency:review_links")
    messages.success(request, f"Review link made for {len(posts)} post(s). Copy it below and send it to your client.")
    return redirect("agency:review_links")


@login_required
def review_link_list(request):
    if not (request.user.is_reseller or request.user.is_platform_staff):
        raise Http404
    links = ReviewLink.objects.for_user(request.user).select_related("task__user").prefetch_related("posts")[:100]
    rows = [{"link": link, "url": review_links.url_for(link) if link.is_usable else ""} for link in links]
    return render(request, "agency/review_links.html", {"rows": rows})


@login_required
@require_POST
def review_link_revoke(request, pk: int):
    link = get_object_or_404(ReviewLink.objects.for_user(request.user), pk=pk)
    try:
        review_links.revoke_link(actor=request.user, link=link)
    except InvalidState as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The review link is revoked; it no longer opens.")
    return redirect("agency:review_links")


def review(request, token: str):
    """The page a review link opens: the posts as X shows them, approve or reject each."""
    try:
        link = review_links.link_for_token(token)
    except review_links.InvalidLink as exc:
        return render(request, "agency/review_invalid.html", {"reason": str(exc)}, status=410)
    errors, status = {}, 200
    if request.method == "POST" and request.POST.get("action") == "comment":
        post_id = parse_id(request.POST.get("post")) or 0
        post = get_object_or_404(link.posts.all(), pk=post_id)
        try:
            comments.add_comment(actor=None, link=link, post=post, body=request.POST.get("body", ""),
                                 ip_address=_client_ip(request))
        except ValidationError as exc:
            errors[post_id], status = " ".join(exc.messages), 400
        else:
            messages.success(request, "Your comment is sent.")
            return redirect(f"{request.path}#comments-{post_id}")
    elif request.method == "POST":
        post_id = parse_id(request.POST.get("post")) or 0
        try:
            review_links.decide(
                link=link,
                post_id=post_id,
                version=parse_id(request.POST.get("version")) or 0,
                action=request.POST.get("action"),
                feedback=request.POST.get("feedback", ""),
                ip_address=_client_ip(request),
            )
        except NotAllowed:
            raise Http404 from None
        except InvalidState as exc:  # Stale (edited since the page was opened) among them
            errors[post_id], status = str(exc), 409
        except ValidationError as exc:
            errors[post_id], status = " ".join(exc.messages), 400
        else:
            messages.success(request, "Thank you: your decision is recorded.")
            return redirect(request.path)
    posts = link.posts.with_relations().prefetch_related("reviews__actor").order_by("schedule_at", "created_at", "pk")
    items = [{"post": post, "cards": preview.post_cards(post, signed=True), "error": errors.get(post.pk, ""), "last_review": (list(post.reviews.all()) or [None])[-1],
              "feedback": request.POST.get("feedback", "") if errors.get(post.pk) else ""} for post in posts]
    context = {"link": link, "items": items, "client": link.task.user, "reseller": link.task.reseller}
    response = render(request, "agency/review.html", context, status=status)
    # The token must not leak to other sites (X links, media); "no-referrer" would make form
    # posts carry "Origin: null", which the CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def comment(request, pk: int):
    """Add a comment from the post page."""
    post = get_object_or_404(Post.objects.for_user(request.user), pk=pk)
    try:
        comments.add_comment(actor=request.user, post=post, body=request.POST.get("body", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{reverse('posts:detail', args=[post.pk])}#comments-{post.pk}")


# --- Each client's own X app.


@login_required
def x_app(request, client_id: int | None = None):
    """Register the client's X app (the client, their reseller or staff)."""
    from accounts.models import User

    client = request.user if client_id is None else get_object_or_404(User.objects.clients(), pk=client_id)
    if not x_apps.can_manage(request.user, client):
        raise Http404
    app = ClientXApp.objects.filter(client=client).first()
    form = XAppForm(request.POST or None, app=app)
    if request.method == "POST" and form.is_valid():
        try:
            x_apps.save_app(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "X app saved. Connect (or reconnect) each X account so it uses this app.")
            return redirect(request.path)
    context = {"form": form, "client": client, "app": app, "callbacks": x_apps.callback_urls()}
    return render(request, "agency/x_app.html", context, status=400 if form.errors else 200)
