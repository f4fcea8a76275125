"""Forms for the template pages. They check the shape of the input; content_templates/services.py keeps every rule."""

from django import forms
from django.core.exceptions import ValidationError

from posts.forms import MultipleFileField, TaskChoiceField
from posts.models import TaskAssign

from . import services
from .models import ContentTemplate, TemplateMedia

VALUE_PREFIX = "value_"  # a placeholder's value in a query string: ?value_link=https://...


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the field it concerns (the rest above the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, messages in exc.message_dict.items():
        form.add_error(key if key in form.fields else None, messages)


def parse_values(raw: str) -> dict[str, str]:
    """Sample values written one per line as `name=value` (or `{name} = value`)."""
    values = {}
    for line in (raw or "").splitlines():
        name, sep, value = line.partition("=")
        if sep:
            values[name.strip().strip("{}").strip()] = value.strip()
    return values


class TemplateForm(forms.Form):
    """A template, with a preview for one of the person's tasks (not saved)."""

    name = forms.CharField(max_length=200)
    text = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Placeholders: {client_name}, {client_username}, {reseller_name}, {task_title}, {date}, "
        "{link}, and your custom ones. Write {{ and }} for literal braces.",
    )
    hashtags = forms.CharField(
        required=False, max_length=2000, help_text="Default hashtags, separated by spaces or commas.",
        widget=forms.TextInput(attrs={"placeholder": "#spring launch", "autocomplete": "off"}),
    )
    custom_placeholders = forms.CharField(
        required=False, max_length=1000, label="Custom placeholders",
        help_text="Extra names the text uses, such as offer or code: asked for when a post is started.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    media = MultipleFileField(
        required=False, label="Default images, a GIF or a video",
        help_text="Copied into each post started from the template: up to 4 images, or one GIF, or one MP4 video.",
    )
    remove_media = forms.ModelMultipleChoiceField(
        queryset=TemplateMedia.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Remove default media",
    )
    preview_task = TaskChoiceField(
        queryset=TaskAssign.objects.none(), required=False, label="Preview for the task", empty_label="Pick a task",
    )
    preview_values = forms.CharField(
        required=False, max_length=5000, label="Preview values",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "link=https://example.com"}),
        help_text="One per line, name=value: for {link} and the custom placeholders.",
    )

    def __init__(self, *args, user, template: ContentTemplate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        tasks = TaskAssign.objects.for_user(user).select_related("user").order_by("user__username", "title")
        self.fields["preview_task"].queryset = tasks
        if template is not None:
            self.fields["remove_media"].queryset = template.media.all()
        else:
            del self.fields["remove_media"]

    @classmethod
    def initial_for(cls, template: ContentTemplate) -> dict:
        return {
            "name": template.name,
            "text": template.text,
            "hashtags": " ".join(f"#{tag}" for tag in template.hashtags),
            "custom_placeholders": " ".join(template.custom_placeholders),
        }

    def service_kwargs(self, alt_texts) -> dict:
        data = self.cleaned_data
        kwargs = {name: data[name] for name in ("name", "text", "hashtags", "custom_placeholders")}
        kwargs["media_files"] = data["media"]
        kwargs["alt_texts"] = alt_texts
        if "remove_media" in data:
            kwargs["remove_media_ids"] = [m.pk for m in data["remove_media"]]
        return kwargs


class UseTemplateForm(forms.Form):
    """The step before the composer: the task, and a value for each placeholder the text asks for."""

    task = TaskChoiceField(queryset=TaskAssign.objects.none(), empty_label="Pick a task")

    def __init__(self, *args, user, template: ContentTemplate, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        self.fields["task"].queryset = TaskAssign.objects.for_user(user).select_related("user").order_by(
            "user__username", "title"
        )
        for name in services.needed_values(template):
            self.fields[VALUE_PREFIX + name] = forms.CharField(
                label=f"{{{name}}}", max_length=services.MAX_VALUE_LENGTH,
                widget=forms.URLInput if name == "link" else forms.TextInput,
                error_messages={"required": f"Give a value for {{{name}}}."},
            )

    def values(self) -> dict[str, str]:
        return {
            key[len(VALUE_PREFIX):]: value for key, value in self.cleaned_data.items() if key.startswith(VALUE_PREFIX)
        }
