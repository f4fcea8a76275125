"""REST serializers for templates: input serializers check shapes, content_templates/services.py judges the rest.

Lists (`hashtags`, `custom_placeholders`, `alt_texts`, `remove_media`) take the same spellings as the
post endpoints (a JSON array, or repeated form fields in multipart); ids are strings.
"""

from rest_framework import serializers

from platforms.x.text import MAX_WEIGHTED_LENGTH
from posts.models import TaskAssign
from posts.serializers import FlexibleListField, MediaSerializer, NullableIdField
from socialhub.api import OpaqueIdField
from socialhub.parsing import parse_id

from . import services
from .models import ContentTemplate, TemplateMedia

MAX_TEXT = 5000

# --- Input.


class TemplateInputSerializer(serializers.Serializer):
    """A template (JSON). Staff's templates are shared with every reseller; a reseller's are their own."""

    name = serializers.CharField(max_length=200)
    text = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_TEXT,
        help_text="Placeholders in braces: {client_name}, {client_username}, {reseller_name}, {task_title}, "
        "{date}, {link}, and the declared custom ones. {{ and }} are literal braces.",
    )
    hashtags = FlexibleListField(
        child=serializers.CharField(max_length=280, allow_blank=True), required=False, max_length=100,
        help_text='Default hashtags, without "#".',
    )
    custom_placeholders = FlexibleListField(
        child=serializers.CharField(max_length=60, allow_blank=True), required=False,
        max_length=services.MAX_CUSTOM_PLACEHOLDERS,
        help_text="Names of the extra placeholders the text uses, asked for when a post is started.",
    )

    def service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        kwargs = {name: data[name] for name in ("name", "text", "hashtags", "custom_placeholders") if name in data}
        if "media" in data:
            kwargs["media_files"] = data["media"]
            kwargs["alt_texts"] = data.get("alt_texts", [])
        if data.get("remove_media"):
            kwargs["remove_media_ids"] = [pk for pk in map(parse_id, data["remove_media"]) if pk]
        return kwargs


class TemplateFormSerializer(TemplateInputSerializer):
    """A template as multipart/form-data, with default media files and their alt text."""

    media = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=4,
        help_text="Up to 4 images, or one GIF, or one MP4 video.",
    )
    alt_texts = FlexibleListField(
        child=serializers.CharField(allow_blank=True, max_length=1000, trim_whitespace=False),
        required=False, max_length=4, help_text="Alt text for each file in `media`, in the same order.",
    )


class TemplateEditInputSerializer(TemplateInputSerializer):
    """A change to a template (JSON): only the fields given change."""

    remove_media = FlexibleListField(
        child=serializers.CharField(max_length=32), required=False, max_length=4,
        help_text="Ids of default media to remove.",
    )


class TemplateEditFormSerializer(TemplateEditInputSerializer, TemplateFormSerializer):
    """A change to a template (multipart/form-data): new media are added after the kept ones."""


class RenderInputSerializer(serializers.Serializer):
    """Which task to fill the template in for, and the values it asks for."""

    task = OpaqueIdField(queryset=TaskAssign.objects.none(), help_text="The id of a task you write for.")
    values = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=services.MAX_VALUE_LENGTH, trim_whitespace=False),
        required=False, default=dict,
        help_text='{link} and the custom placeholders, for example {"link": "https://example.com"}.',
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:  # without one (the schema generator reading it), no task is valid
            self.fields["task"].queryset = TaskAssign.objects.for_user(user).select_related("user", "reseller")


# --- Output.


class TemplateMediaSerializer(MediaSerializer):
    class Meta(MediaSerializer.Meta):
        model = TemplateMedia


class TemplateSerializer(serializers.ModelSerializer):
    """A template as the API shows it."""

    id = serializers.CharField(read_only=True)
    owner = NullableIdField(source="owner_id", read_only=True, help_text="The reseller's id; null when shared.")
    hashtags = serializers.ListField(child=serializers.CharField(), read_only=True)
    custom_placeholders = serializers.ListField(child=serializers.CharField(), read_only=True)
    asks_for = serializers.SerializerMethodField(help_text="The values to give when a post is started from it.")
    media = TemplateMediaSerializer(many=True, read_only=True)

    class Meta:
        model = ContentTemplate
        fields = ["id", "name", "text", "hashtags", "custom_placeholders", "asks_for", "shared", "owner",
                  "media", "created_at", "updated_at"]
        read_only_fields = fields

    def get_asks_for(self, template) -> list[str]:
        return services.needed_values(template)


class RenderedSerializer(serializers.Serializer):
    """The template filled in for the task: what a new post starts with."""

    text = serializers.CharField(help_text="The post's content.")
    hashtags = serializers.ListField(child=serializers.CharField())
    full_text = serializers.CharField(help_text="The text as X will get it: content plus hashtags.")
    weighted_length = serializers.IntegerField(help_text="X's weighted length of full_text.")
    max_length = serializers.SerializerMethodField()
    values = serializers.DictField(child=serializers.CharField(), help_text="Each placeholder's value.")
    media = TemplateMediaSerializer(many=True)

    def get_max_length(self, rendered) -> int:
        return MAX_WEIGHTED_LENGTH
