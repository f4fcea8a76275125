"""The template pages: list, create, edit (with a preview for a task), delete, and the step that
asks for a template's values before the composer. Each view loads through ContentTemplate.objects.for_user.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from platforms.x.text import MAX_WEIGHTED_LENGTH
from posts import errors
from posts.models import TaskAssign
from posts.preview import text_html
from socialhub.errors import NotAllowed
from socialhub.parsing import parse_id

from . import services
from .composer import compose_url, render_for
from .forms import TemplateForm, UseTemplateForm, add_service_errors, parse_values
from .models import ContentTemplate

PAGE_SIZE = 20


def _writer_required(user) -> None:
    if not (user.is_reseller or user.is_platform_staff):
        raise PermissionDenied("Only resellers and staff use templates.")


def _template_for(request, pk: int) -> ContentTemplate:
    """The one way a page loads a template: scoped to what the viewer may see, else 404."""
    _writer_required(request.user)
    return get_object_or_404(ContentTemplate.objects.for_user(request.user).with_media(), pk=pk)


def _managed_template_for(request, pk: int) -> ContentTemplate:
    template = _template_for(request, pk)
    if not services.can_manage_template(request.user, template):
        raise Http404("Only its owner changes a template; staff change the shared ones.")
    return template


def preview_for(request, data) -> dict:
    """The form's template filled in for the chosen task, or the errors by field. Nothing is saved."""
    template = ContentTemplate(
        name=data.get("name") or "Preview",
        text=data.get("text", ""),
        hashtags=data.get("hashtags", ""),
        custom_placeholders=data.get("custom_placeholders", ""),
    )
    result = {"ok": False, "text": "", "html": "", "weighted_length": 0, "max": MAX_WEIGHTED_LENGTH, "errors": {}}
    try:
        services.clean_template_fields(template)
        task = None
        if task_id := parse_id(data.get("preview_task")):
            task = TaskAssign.objects.for_user(request.user).filter(pk=task_id).first()
        rendered = render_for(request, template, task, parse_values(data.get("preview_values", "")))
    except ValidationError as exc:
        errors_by_field = exc.message_dict
        if "task" in errors_by_field:
            errors_by_field["preview_task"] = errors_by_field.pop("task")
        if "values" in errors_by_field:
            errors_by_field["preview_values"] = errors_by_field.pop("values")
        errors_by_field.pop("name", None)  # the preview needs no name
        result["errors"] = errors_by_field
        return result
    result.update(ok=True, text=rendered.full_text, html=str(text_html(rendered.full_text)),
                  weighted_length=rendered.weighted_length)
    return result


@login_required
def template_list(request):
    _writer_required(request.user)
    templates = ContentTemplate.objects.for_user(request.user).with_media()
    page = Paginator(templates, PAGE_SIZE).get_page(request.GET.get("page"))
    for template in page:
        template.can_manage = services.can_manage_template(request.user, template)
    return render(request, "content_templates/list.html", {"page": page})


def _form_page(request, form, template: ContentTemplate | None):
    """The form with its errors; after a submit, the preview for the chosen task too."""
    preview = None
    if request.method == "POST":
        preview = preview_for(request, request.POST)
        form.is_valid()  # so that the preview's errors can join the form's
        for name, problems in preview["errors"].items():
            if name == "preview_task" and "preview" not in request.POST:
                continue  # saving needs no task
            if name in form.fields and not form.errors.get(name):
                form.add_error(name, problems)
    return render(request, "content_templates/form.html", {"form": form, "template": template, "preview": preview})


@login_required
def create(request):
    _writer_required(request.user)
    form = TemplateForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            template = services.create_template(
                actor=request.user, **form.service_kwargs(request.POST.getlist("alt_text"))
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(request, f"Template “{template.name}” saved.")
            return redirect("content_templates:list")
    return _form_page(request, form, None)


@login_required
def edit(request, pk: int):
    template = _managed_template_for(request, pk)
    form = TemplateForm(
        request.POST or None, request.FILES or None, user=request.user, template=template,
        initial=TemplateForm.initial_for(template),
    )
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            template = services.update_template(
                actor=request.user, template=template, **form.service_kwargs(request.POST.getlist("alt_text"))
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except NotAllowed as exc:
            raise Http404(str(exc)) from exc
        else:
            messages.success(request, f"Template “{template.name}” saved.")
            return redirect("content_templates:list")
    return _form_page(request, form, template)


@login_required
def delete(request, pk: int):
    template = _managed_template_for(request, pk)
    if request.method == "POST":
        services.delete_template(actor=request.user, template=template)
        messages.success(request, f"Template “{template.name}” deleted.")
        return redirect("content_templates:list")
    return render(request, "content_templates/delete.html", {"template": template})


@login_required
@require_POST
def preview(request):
    """The live preview of the template form: the text filled in for a task, or the errors by field."""
    _writer_required(request.user)
    return JsonResponse(preview_for(request, request.POST))


@login_required
def use(request, pk: int):
    """Before the composer: pick the task and give the values the template asks for.

    When everything is given and the template fills in within X's limit, on to the composer.
    """
    template = _template_for(request, pk)
    bound = "task" in request.GET
    form = UseTemplateForm(request.GET if bound else None, user=request.user, template=template)
    if not bound and form.fields["task"].queryset.count() == 1:
        form.initial["task"] = form.fields["task"].queryset.get().pk
    if bound and form.is_valid():
        try:
            render_for(request, template, form.cleaned_data["task"], form.values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(compose_url(template, form.cleaned_data["task"], form.values()))
    return render(request, "content_templates/use.html", {"form": form, "template": template})
