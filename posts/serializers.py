"""REST serializers for posts: input serializers validate shapes, services judge the rest.

Ids are opaque strings to clients. Lists (`hashtags`, `post_channels`, `alt_texts`) come as JSON
arrays, or in multipart form data as repeated fields, `name[]`, `name[0]` / `name[0][key]`, or a
JSON string, so the seed's body works whichever way a client encodes it.
"""

import datetime
import json
import re

from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import ISO_8601, empty
from rest_framework.settings import api_settings
from rest_framework.utils import html

from accounts.models import User
from costs.prices import estimate_post
from costs.selectors import post_spend
from socialhub.api import OpaqueIdField
from socialhub.parsing import parse_id

from . import options as post_options
from .models import (
    AWAITING_APPROVAL,
    NOT_SENT,
    PART_STATE_LABELS,
    PART_WAITING,
    STATUS_LABELS,
    Post,
    PostChannel,
    PostMedia,
    ReviewEvent,
    TaskAssign,
)

NAIVE_DATETIME = (
    "Give the time in ISO 8601 with its UTC offset, for example 2024-01-01T10:00:00Z "
    "or 2024-01-01T12:00:00+02:00."
)


def form_list(data, name: str):
    """A list out of form data in the usual spellings, or `empty` when the field is absent."""
    values = data.getlist(name) + data.getlist(f"{name}[]")
    if values:
        return values
    pattern = re.compile(rf"^{re.escape(name)}\[(\d+)\](?:\[(\w+)\]|\.(\w+))?$")
    items: dict[int, object] = {}
    for key in data:
        match = pattern.match(key)
        if not match:
            continue
        index, sub = int(match[1]), match[2] or match[3]
        if sub:
            item = items.get(index)
            items[index] = item = item if isinstance(item, dict) else {}
            item[sub] = data.get(key)
        else:
            items[index] = data.get(key)
    return [items[i] for i in sorted(items)] if items else empty


class FlexibleListField(serializers.ListField):
    """A JSON array, or the same list spelled in form data (see the module docstring)."""

    def get_value(self, dictionary):
        if html.is_html_input(dictionary):
            value = form_list(dictionary, self.field_name)
            if value is empty and getattr(self.root, "partial", False):
                return empty
        else:
            value = dictionary.get(self.field_name, empty)
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            value = value[0]  # one form field may hold the whole list as JSON
        if isinstance(value, str):
            if value.strip().startswith("["):
                try:
                    value = json.loads(value)
                except ValueError:
                    raise serializers.ValidationError({self.field_name: ["This is not a valid JSON array."]})
            else:
                value = [value]
        return value


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with a UTC offset; a time without one is ambiguous and refused."""

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            raise serializers.ValidationError(NAIVE_DATETIME, code="naive")
        return super().enforce_timezone(value)


# --- Input.


class ChannelRefSerializer(serializers.Serializer):
    """The seed's `{"channel_id": "<account id>"}`: one of the client's connected X accounts."""

    channel_id = serializers.CharField(max_length=64, help_text="The id of one of the client's X accounts.")

    def to_internal_value(self, data):
        if isinstance(data, (str, int)) and not isinstance(data, bool):
            data = {"channel_id": data}  # a bare id is accepted too
        return super().to_internal_value(data)

    def validate(self, attrs):
        if "channel_id" not in attrs:  # required even when the post is changed partially
            raise serializers.ValidationError({"channel_id": ["This field is required."]})
        return attrs


class PartInputSerializer(serializers.Serializer):
    """One part of a thread. Part 1 carries the post's hashtags; media come only in multipart."""

    id = serializers.CharField(
        required=False, max_length=32,
        help_text="Edits only: the id of an existing part 2..n to change (its media are kept).",
    )
    content = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=25000, default="")
    alt_texts = FlexibleListField(
        child=serializers.CharField(allow_blank=True, max_length=1000, trim_whitespace=False),
        required=False, max_length=4, help_text="Alt text for each of this part's media files, in order.",
    )
    remove_media = FlexibleListField(
        child=serializers.CharField(max_length=32), required=False, max_length=4,
        help_text="Edits only: ids of this part's attached media to remove.",
    )

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.strip().startswith("{"):
            data = {"content": data}  # a bare string is a part's text
        elif isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError("This is not a valid JSON object.") from None
        return super().to_internal_value(data)


class PartFormSerializer(PartInputSerializer):
    media = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=4,
        help_text="This part's files: multipart fields `parts[N][media]` (N from 0 for part 1), repeated.",
    )


class PartsField(FlexibleListField):
    """`parts`: a JSON array, or in multipart `parts[N][content]`, `parts[N][alt_texts]` and the
    files `parts[N][media]` (repeated), N counting from 0 for part 1."""

    def get_value(self, dictionary):
        value = super().get_value(dictionary)
        if html.is_html_input(dictionary) and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    for key in ("media", "alt_texts", "remove_media"):
                        many = dictionary.getlist(f"{self.field_name}[{index}][{key}]")
                        if len(many) > 1:
                            item[key] = many
                        elif key == "media" and many:
                            item[key] = many
        return value


def _part_kwargs(part: dict) -> dict:
    kwargs = {"content": part.get("content", ""), "media_files": part.get("media", []),
              "alt_texts": part.get("alt_texts", [])}
    if part.get("id"):
        kwargs["id"] = parse_id(part["id"]) or part["id"]
    if part.get("remove_media"):
        kwargs["remove_media_ids"] = [pk for pk in map(parse_id, part["remove_media"]) if pk]
    return kwargs


@extend_schema_field({"type": "object", "additionalProperties": True})
class OptionsField(serializers.Field):
    """Post options as a JSON object, or (multipart forms) as a JSON text in one field."""

    default_error_messages = {"invalid": 'Give the options as a JSON object, e.g. {{"reply_settings": "following"}}.'}

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


OPTIONS_HELP = (
    'What X lets a post be besides text: {"poll": {"options": ["Yes", "No"], "duration_minutes": 1440}, '
    '"reply_settings": "everyone|following|mentionedUsers|subscribers|verified", "quote": "<post link or id>", '
    '"community_id": "<id>", "share_with_followers": false, "made_with_ai": false, "paid_partnership": false}. '
    "Media, a poll and a quote cannot be combined. Sent with part 1 of a thread. "
    'Mastodon\'s own: "mastodon_visibility": "public|unlisted|private" (every part of a thread).'
)


class PostInputSerializer(serializers.Serializer):
    """The seed's post body (JSON)."""

    options = OptionsField(required=False, help_text=OPTIONS_HELP)

    content = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=25000)
    hashtags = FlexibleListField(
        child=serializers.CharField(max_length=280, allow_blank=True),
        required=False,
        max_length=100,
        help_text='Without "#": ["tag1", "tag2"].',
    )
    post_channels = FlexibleListField(
        child=ChannelRefSerializer(), max_length=50, help_text='[{"channel_id": "<account id>"}]'
    )
    schedule_at = AwareDateTimeField(
        required=False, allow_null=True, help_text="ISO 8601 with offset. Omit to publish once approved."
    )
    parts = PartsField(
        child=PartInputSerializer(), required=False, max_length=25,
        help_text="A thread: every part in order, part 1 first, each within X's 280 (hashtags go on "
        "part 1); then leave `content` and `media` out. Published as part 1, then each part as a "
        "reply to the one before. Omit for a single post.",
    )

    text_overrides = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=25000), required=False,
        help_text='"Customize per network": {"mastodon": "...", "bluesky": "..."} replaces `content` on '
        "that network's accounts (hashtags still added); each is checked by that network's rules.",
    )

    def validate_hashtags(self, value):
        # A hashtag holds neither spaces nor commas: "a b,c" is three tags however it was sent.
        return [tag for item in value for tag in re.split(r"[\s,]+", item) if tag]

    def service_kwargs(self) -> dict:
        """The validated fields, named as the post services take them."""
        data = dict(self.validated_data)
        kwargs = {}
        for name in ("content", "hashtags", "schedule_at", "text_overrides", "options"):
            if name in data:
                kwargs[name] = data[name]
        if "post_channels" in data:
            kwargs["account_ids"] = [c["channel_id"] for c in data["post_channels"]]
        if "media" in data:
            kwargs["media_files"] = data["media"]
            kwargs["alt_texts"] = data.get("alt_texts", [])
        if data.get("remove_media"):
            kwargs["remove_media_ids"] = [pk for pk in map(parse_id, data["remove_media"]) if pk]
        if "parts" in data:
            kwargs["parts"] = [_part_kwargs(part) for part in data["parts"]]
        return kwargs


class PostFormSerializer(PostInputSerializer):
    """The seed's post body as multipart/form-data, with media files and their alt text. A
    thread's parts as `parts[N][content]`, `parts[N][alt_texts]`, files `parts[N][media]`."""

    parts = PartsField(
        child=PartFormSerializer(), required=False, max_length=25,
        help_text=PostInputSerializer._declared_fields["parts"].help_text,
    )

    media = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=4,
        help_text="Up to 4 images, or one GIF, or one MP4 video.",
    )
    alt_texts = FlexibleListField(
        child=serializers.CharField(allow_blank=True, max_length=1000, trim_whitespace=False),
        required=False,
        max_length=4,
        help_text="Alt text for each file in `media`, in the same order.",
    )


class PostEditInputSerializer(PostInputSerializer):
    """A change to a pending or rejected post (JSON): only the fields given change."""

    remove_media = FlexibleListField(
        child=serializers.CharField(max_length=32), required=False, max_length=4,
        help_text="Ids of attached media to remove.",
    )


class PostEditFormSerializer(PostEditInputSerializer, PostFormSerializer):
    """A change to a pending or rejected post (multipart/form-data): new media are added after the kept ones."""

    parts = PartsField(
        child=PartFormSerializer(), required=False, max_length=25,
        help_text="The whole thread, part 1 first (see create). A part 2..n with an `id` keeps its "
        "media (less `remove_media`); parts left out are removed; one part makes a single post again.",
    )


# The seed's codes, and words for them: review actions are 1/2 while post statuses are 1/5.
REVIEW_ACTIONS = {"approve": ReviewEvent.Action.APPROVE, "reject": ReviewEvent.Action.REJECT}


@extend_schema_field({
    "oneOf": [{"type": "integer", "enum": [1, 2]}, {"type": "string", "enum": list(REVIEW_ACTIONS)}],
    "description": '`1` or `"approve"` approves; `2` or `"reject"` rejects (then `feedback` says why).',
    "example": "approve",
})
class ReviewActionField(serializers.Field):
    """The review action as the seed's code (1, 2) or its word ("approve", "reject")."""

    default_error_messages = {"invalid": 'Use 1 or "approve" to approve, 2 or "reject" to reject.'}

    def to_internal_value(self, data) -> int:
        if isinstance(data, str):
            word = data.strip().lower()
            if word in REVIEW_ACTIONS:
                return int(REVIEW_ACTIONS[word])
            data = int(word) if word in {"1", "2"} else None  # form and multipart bodies send text
        if type(data) is int and data in ReviewEvent.Action.values:
            return data
        self.fail("invalid")

    def to_representation(self, value) -> int:
        return int(value)


class ReviewInputSerializer(serializers.Serializer):
    """The seed's review body."""

    action = ReviewActionField()
    feedback = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1,
        help_text="The post's `version` you read. If the post changed since, nothing is reviewed: "
        "409 with the current post in `details`.",
        error_messages={"required": "Give the post's `version` you reviewed (GET the post to read it)."},
    )


class PostFilterSerializer(serializers.Serializer):
    """Filters of the post list."""

    status = serializers.MultipleChoiceField(
        choices=Post.Status.choices, required=False, help_text="One or more status codes."
    )
    client = serializers.CharField(required=False, max_length=32, help_text="The client's user id.")
    task = serializers.CharField(required=False, max_length=32, help_text="The task id.")
    schedule_after = AwareDateTimeField(required=False, help_text="Scheduled at or after (ISO 8601).")
    schedule_before = AwareDateTimeField(required=False, help_text="Scheduled at or before (ISO 8601).")

    @classmethod
    def apply(cls, params, queryset):
        """`queryset` filtered by the query `params` (ValidationError when one is wrong). Most lists
        are asked for with none of them: they are not validated then (DRF copies a serializer's
        fields for each one, which cost a list more than its filters)."""
        if params.keys().isdisjoint(cls._declared_fields):
            return queryset
        filters = cls(data=params)
        filters.is_valid(raise_exception=True)
        return filters.filter(queryset)

    def filter(self, queryset):
        data = self.validated_data
        if data.get("status"):
            queryset = queryset.filter(status__in=sorted(data["status"]))
        for name, lookup in (("client", "task__user_id"), ("task", "task_id")):
            if name in data:
                pk = parse_id(data[name])
                queryset = queryset.filter(**{lookup: pk}) if pk else queryset.none()
        if "schedule_after" in data:
            queryset = queryset.filter(schedule_at__gte=data["schedule_after"])
        if "schedule_before" in data:
            queryset = queryset.filter(schedule_at__lte=data["schedule_before"])
        return queryset


# --- Output.

# A channel's public states: the model's, and the two it shows instead of `queued` before approval.
CHANNEL_STATES = [
    (AWAITING_APPROVAL, PART_STATE_LABELS[AWAITING_APPROVAL]),
    (NOT_SENT, PART_STATE_LABELS[NOT_SENT]),
    *PostChannel.State.choices,
]


class ChannelSerializer(serializers.ModelSerializer):
    """Where a post goes (one X account) and how it went there."""

    id = serializers.CharField(read_only=True)
    channel_id = serializers.CharField(source="account_id", read_only=True, help_text="The X account's id.")
    username = serializers.CharField(source="account.username", read_only=True)
    error = serializers.CharField(source="last_error", read_only=True)
    remote_url = serializers.CharField(read_only=True, help_text="The tweet's address, once published.")
    metrics = serializers.JSONField(read_only=True)
    state = serializers.ChoiceField(
        source="public_state",
        choices=CHANNEL_STATES,
        read_only=True,
        help_text="`awaiting_approval` while the post waits for its review (status 0) and `not_sent` once it is "
        "rejected (status 5): nothing is queued for X then. After approval: `queued`, `sending`, `unknown` "
        "(sent, answer lost: checked on X before any resend), `retry`, `published`, `failed` or `held`.",
    )

    class Meta:
        model = PostChannel
        fields = [
            "id", "channel_id", "username", "state", "remote_id", "remote_url", "published_at",
            "attempts", "next_attempt_at", "error", "error_kind", "metrics", "metrics_updated_at",
        ]
        read_only_fields = fields


class MediaSerializer(serializers.ModelSerializer):
    id = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = PostMedia
        fields = ["id", "url", "kind", "mime_type", "size", "alt_text", "order"]
        read_only_fields = fields

    def get_url(self, media) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(media.url) if request else media.url


class PartChannelSerializer(serializers.Serializer):
    """How one part went on one channel."""

    channel_id = serializers.CharField(source="channel.account_id", help_text="The X account's id.")
    username = serializers.CharField(source="channel.account.username")
    state = serializers.ChoiceField(
        choices=[*CHANNEL_STATES, (PART_WAITING, PART_STATE_LABELS[PART_WAITING])],
        help_text="`published` once this part is on X; the channel's state for the part it is at; "
        "`waiting` for the parts after that one; `awaiting_approval` (status 0) or `not_sent` (status 5) "
        "for every part before approval.",
    )
    state_label = serializers.CharField()
    remote_id = serializers.CharField(help_text="The tweet's id, once published.")
    remote_url = serializers.CharField(help_text="The tweet's address, once published.")


class PartSerializer(serializers.Serializer):
    """One part of the post's thread (a single post is a thread of one)."""

    position = serializers.IntegerField(help_text="1 for the first tweet, 2 for the reply to it...")
    content = serializers.CharField()
    text = serializers.CharField(help_text="The exact text sent to X (part 1 with the hashtags).")
    media = MediaSerializer(many=True)
    channels = PartChannelSerializer(many=True)


@extend_schema_field({"type": "string", "nullable": True})
class NullableIdField(serializers.Field):
    def to_representation(self, value):
        return None if value is None else str(value)


class PostSerializer(serializers.ModelSerializer):
    """A post as the API shows it, with its channels and media."""

    id = serializers.CharField(read_only=True)
    task = serializers.CharField(source="task_id", read_only=True)
    client = serializers.CharField(source="task.user_id", read_only=True, help_text="The client's user id.")
    reseller = serializers.CharField(source="task.reseller_id", read_only=True)
    created_by = serializers.CharField(source="created_by_id", read_only=True)
    reviewed_by = NullableIdField(source="reviewed_by_id", read_only=True)
    text = serializers.CharField(source="full_text", read_only=True, help_text="The text sent to X.")
    status = serializers.ChoiceField(choices=Post.Status.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    hashtags = serializers.ListField(child=serializers.CharField(), read_only=True)
    channels = ChannelSerializer(source="shown_channels", many=True, read_only=True)
    media = MediaSerializer(source="shown_media", many=True, read_only=True, help_text="Part 1's media.")
    options = serializers.SerializerMethodField(help_text=OPTIONS_HELP)
    parts = PartSerializer(
        source="thread_with_channels", many=True, read_only=True,
        help_text="Every part in order, part 1 first (`content`, `text` and `media` above are part 1's).",
    )

    class Meta:
        model = Post
        fields = [
            "id", "task", "client", "reseller", "created_by", "content", "hashtags", "text", "text_overrides", "status",
            "status_label", "review_step", "version", "schedule_at", "feedback", "reviewed_by", "reviewed_at",
            "published_at", "created_at", "updated_at", "channels", "media", "parts", "options",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "review_step": {"help_text": "While pending: whose decision it waits for (staff comes first "
                            "under the two-step policy)."},
            "version": {"help_text": "Goes up with every edit."},
        }

    def to_representation(self, post):
        """The fields above, each read straight from the post and what was prefetched with it.

        The same answer as DRF's field-by-field path (tests compare the two), at a fraction of its
        cost: a list of 50 posts spent most of its time in that generic machinery, and building the
        serializer's fields (copies of every declared field, nested ones included) cost each
        request more than a row does. A field this does not know (one added to Meta.fields later)
        still goes through its DRF field."""
        data = _post_representation(post, self.context.get("request"), self._when)
        missing = [name for name in self.Meta.fields if name not in data]
        if not missing:
            return data
        for name in missing:
            field = self.fields[name]
            value = field.get_attribute(post)
            data[name] = None if value is None else field.to_representation(value)
        return {name: data[name] for name in self.Meta.fields}

    def get_options(self, post) -> dict:
        return post_options.as_api(post.options)

    @cached_property
    def _when(self):
        return api_times()  # once per serializer: a list's posts share it


def api_times():
    """A time as the API's DateTimeFields show it (ISO 8601 in the current time zone, "Z" for UTC):
    what DRF's field gives (tests compare the two), given the zone once rather than looking it up
    for every time, and without the field's generic steps for the times a database gives (aware
    datetimes): a list of 50 posts has 400 times. Any other value goes through the field."""
    zone = timezone.get_current_timezone()
    field = serializers.DateTimeField(default_timezone=zone)
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)  # as the field reads it
    if output_format is None or output_format.lower() != ISO_8601:
        return lambda value: None if value is None else field.to_representation(value)

    def when(value):
        if value is None:
            return None
        if not isinstance(value, datetime.datetime) or value.tzinfo is None:
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return when


def _id(value):
    return None if value is None else str(value)


def _post_representation(post: Post, request, when) -> dict:
    task, media_of = post.task, _media_representation(request)
    parts = post.thread_with_channels()
    first = parts[0]  # part 1: the post's own text with its hashtags, and its options
    return {
        "id": str(post.pk), "task": str(post.task_id), "client": str(task.user_id), "reseller": _id(task.reseller_id),
        "created_by": str(post.created_by_id), "content": post.content, "hashtags": [str(tag) for tag in post.hashtags],
        "text": first.text, "text_overrides": dict(post.text_overrides or {}), "status": post.status,
        "status_label": STATUS_LABELS.get(post.status, post.status), "review_step": post.review_step,
        "version": post.version,
        "schedule_at": when(post.schedule_at), "feedback": post.feedback, "reviewed_by": _id(post.reviewed_by_id),
        "reviewed_at": when(post.reviewed_at), "published_at": when(post.published_at),
        "created_at": when(post.created_at), "updated_at": when(post.updated_at),
        "channels": [_channel_representation(channel, when) for channel in post.shown_channels],
        "media": [media_of(media) for media in post.shown_media],
        "parts": [_part_representation(part, media_of) for part in parts],
        "options": post_options.as_api(first.post_options),
    }


def _media_representation(request):
    def represent(media: PostMedia) -> dict:
        url = media.url
        return {
            "id": str(media.pk), "url": request.build_absolute_uri(url) if request else url, "kind": media.kind,
            "mime_type": media.mime_type, "size": media.size, "alt_text": media.alt_text, "order": media.order,
        }

    return represent


def _channel_representation(channel: PostChannel, when) -> dict:
    return {
        "id": str(channel.pk), "channel_id": str(channel.account_id), "username": channel.account.username,
        "state": channel.public_state, "remote_id": channel.remote_id, "remote_url": channel.remote_url,
        "published_at": when(channel.published_at), "attempts": channel.attempts,
        "next_attempt_at": when(channel.next_attempt_at), "error": channel.last_error,
        "error_kind": channel.error_kind, "metrics": channel.metrics,
        "metrics_updated_at": when(channel.metrics_updated_at),
    }


def _part_representation(part, media_of) -> dict:
    return {
        "position": part.position, "content": part.content, "text": part.text,
        "media": [media_of(m) for m in part.media],
        "channels": [
            {
                "channel_id": str(pc.channel.account_id), "username": pc.channel.account.username,
                "state": pc.state, "state_label": pc.state_label, "remote_id": pc.remote_id,
                "remote_url": pc.remote_url,
            }
            for pc in part.channels
        ],
    }


class PostDetailSerializer(PostSerializer):
    """One post, with what X charges for it (lists leave these out: one more query per post)."""

    x_estimate = serializers.SerializerMethodField(
        help_text='What publishing it should cost on X, e.g. "≈ $0.20 on X: it has a link".')
    x_spend = serializers.SerializerMethodField(
        help_text="What publishing it really cost on X (reconcile reads and re-uploads included), by kind of call.")

    class Meta(PostSerializer.Meta):
        fields = [*PostSerializer.Meta.fields, "x_estimate", "x_spend"]
        read_only_fields = fields

    def get_x_spend(self, post) -> dict:
        return post_spend(post)

    def get_x_estimate(self, post) -> str:
        return estimate_post(post).sentence()


class ReviewEventSerializer(serializers.ModelSerializer):
    id = serializers.CharField(read_only=True)
    post = serializers.CharField(source="post_id", read_only=True)
    actor = serializers.CharField(source="actor_id", read_only=True)
    actor_username = serializers.CharField(source="actor.username", read_only=True)
    action = serializers.ChoiceField(choices=ReviewEvent.Action.choices, read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    step = serializers.ChoiceField(
        choices=ReviewEvent.Step.choices, read_only=True,
        help_text="client: the (final) client step; staff: staff's first of two steps; auto: the task's policy.",
    )
    via_link = serializers.SerializerMethodField(
        help_text="Set when the client decided through a review link: the link's id and the address "
        "the decision came from."
    )

    class Meta:
        model = ReviewEvent
        fields = [
            "id", "post", "actor", "actor_username", "action", "action_label", "step", "version", "feedback",
            "created_at", "via_link",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "nullable": True, "properties": {
        "link": {"type": "string"}, "ip_address": {"type": "string", "nullable": True}}})
    def get_via_link(self, event) -> dict | None:
        decision = getattr(event, "link_decision", None)
        if decision is None:
            return None
        return {"link": str(decision.link_id), "ip_address": decision.ip_address}


class TaskSerializer(serializers.ModelSerializer):
    """A reseller's assignment to a client. Staff create and change them; the others read their own."""

    id = serializers.CharField(read_only=True)
    user = OpaqueIdField(
        queryset=User.objects.clients(),
        help_text="The client's user id. It cannot change once the task has posts.",
    )
    reseller = OpaqueIdField(
        queryset=User.objects.resellers(),
        required=False,
        help_text="The reseller's user id. Staff must give it; a reseller's own tasks are theirs.",
    )
    title = serializers.CharField(max_length=200)

    class Meta:
        model = TaskAssign
        fields = ["id", "user", "reseller", "title", "brief", "approval_policy", "created_at", "updated_at"]
        extra_kwargs = {"approval_policy": {
            "help_text": "client (default): the client approves; auto: approved when submitted; "
            "two_steps: staff approve, then the client."}}
        read_only_fields = ["created_at", "updated_at"]



class TaskRenameSerializer(TaskSerializer):
    """What a reseller may change on their own task: its title, brief and approval policy."""

    user = OpaqueIdField(read_only=True, help_text="The client's user id.")
    reseller = OpaqueIdField(read_only=True, help_text="The reseller's user id.")
