"""Agency pages: resellers invite clients and keep their tasks; an invited client accepts."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from posts import services as post_services
from posts.errors import InvalidState, NotAllowed
from posts.models import TaskAssign

from . import invitations
from .forms import AcceptForm, InvitationForm, RenameTaskForm, TaskForm
from .models import Invitation


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
    tasks = TaskAssign.objects.for_user(request.user).select_related("user").order_by("user__username", "title")
    return render(request, "agency/tasks.html", {"tasks": tasks})


@login_required
def task_new(request):
    _resellers_only(request)
    form = TaskForm(request.POST or None, reseller=request.user, initial={"user": request.GET.get("client")})
    if request.method == "POST" and form.is_valid():
        try:
            task = post_services.assign_task(actor=request.user, client=form.cleaned_data["user"], **{
                k: form.cleaned_data[k] for k in ("title", "brief")})
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
            post_services.rename_task(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Task saved.")
            return redirect("agency:tasks")
    return render(request, "agency/task_form.html", {"form": form, "task": task, "title": f"Rename task for {task.user}"},
                  status=400 if form.errors else 200)
