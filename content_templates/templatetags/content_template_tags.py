"""The composer's "Start from template" control, so the compose view needs no extra context for it."""

from django import template

from posts.models import TaskAssign

from ..models import ContentTemplate

register = template.Library()


@register.inclusion_tag("content_templates/_picker.html", takes_context=True)
def template_picker(context):
    request = context["request"]
    form = context.get("form")
    task = form["task"].value() if form is not None and "task" in form.fields else None
    start = context.get("template_start")
    return {
        "templates": ContentTemplate.objects.for_user(request.user),
        "tasks": TaskAssign.objects.for_user(request.user).select_related("user").order_by("user__username", "title"),
        "chosen_task": str(task or ""),
        "chosen_template": str(start.template.pk) if start is not None and start.template else "",
    }
