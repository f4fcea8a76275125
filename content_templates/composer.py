"""Starting a post from a template: what the composer (posts/views.py::compose) asks of this app.

    GET  /posts/new/?template=<id>&task=<id>[&value_<name>=...]   pre-fills text, hashtags and media
    POST /posts/new/  with from_template=<id> and template_media=<ids>  copies the ticked media

Starting is only rendering: nothing is saved until the reseller submits the composer, which goes
through posts.services.create_post as usual. When the template cannot be filled in as asked (no
task, a value missing, the result too long) the composer sends the person to the step that asks for
the values and shows the errors (content_templates.views.use) before any post exists.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from posts.models import TaskAssign
from posts.services import can_write_for
from socialhub.parsing import parse_id

from . import services
from .forms import VALUE_PREFIX
from .models import ContentTemplate, TemplateMedia


@dataclass
class TemplateStart:
    template: ContentTemplate | None = None
    initial: dict = field(default_factory=dict)  # the composer form's initial data
    media: list[TemplateMedia] = field(default_factory=list)  # the default media to copy
    ask_url: str = ""  # set when the values step must come first: redirect there
    draft_key: str = "new"  # the composer's local draft, kept apart per template and task

    def media_files(self) -> tuple[list, list[str]]:
        """Copies of the chosen media files and their alt texts, to put before the uploaded ones."""
        return services.media_copies(self.media)


def use_url(template: ContentTemplate, query) -> str:
    params = {k: v for k, v in query.items() if v and (k == "task" or k.startswith(VALUE_PREFIX))}
    url = reverse("content_templates:use", args=[template.pk])
    return f"{url}?{urlencode(params)}" if params else url


def compose_url(template: ContentTemplate, task: TaskAssign, values: dict[str, str]) -> str:
    params = {"template": template.pk, "task": task.pk, **{VALUE_PREFIX + k: v for k, v in values.items()}}
    return f"{reverse('posts:compose')}?{urlencode(params)}"


def render_for(request, template: ContentTemplate, task: TaskAssign | None, values) -> services.Rendered:
    """Render for a task the person writes for. Raises ValidationError (`task` when there is none)."""
    if task is None or not can_write_for(request.user, task):
        raise ValidationError({"task": ["Pick one of your tasks."]})
    return services.render(template, task=task, values=values)


def initial_from_template(request) -> TemplateStart:
    """What the composer starts with when the request names a template; an empty start otherwise."""
    templates = ContentTemplate.objects.for_user(request.user)
    if request.method == "POST":
        template = templates.filter(pk=parse_id(request.POST.get("from_template")) or 0).first()
        if template is None:
            return TemplateStart()
        ids = [pk for pk in map(parse_id, request.POST.getlist("template_media")) if pk]
        task_id = request.POST.get("task", "")
        return TemplateStart(
            template=template, media=list(template.media.filter(pk__in=ids)), draft_key=f"template-{template.pk}-{task_id}"
        )
    if "template" not in request.GET:
        return TemplateStart()
    template = templates.filter(pk=parse_id(request.GET["template"]) or 0).first()
    if template is None:
        messages.error(request, "That template is not available to you.")
        return TemplateStart()
    task = TaskAssign.objects.for_user(request.user).filter(pk=parse_id(request.GET.get("task")) or 0).first()
    values = {k[len(VALUE_PREFIX):]: v for k, v in request.GET.items() if k.startswith(VALUE_PREFIX)}
    try:
        rendered = render_for(request, template, task, values)
    except ValidationError:
        return TemplateStart(template=template, ask_url=use_url(template, request.GET))
    return TemplateStart(
        template=template,
        initial={"task": task.pk, "content": rendered.text, "hashtags": " ".join(f"#{t}" for t in rendered.hashtags)},
        media=rendered.media,
        draft_key=f"template-{template.pk}-{task.pk}",
    )
