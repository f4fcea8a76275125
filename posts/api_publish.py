"""POST /socials/publish/twitter: a client publishes on their own X account at once (the seed's
"Publish Post Directly" endpoint). Same pipeline as approved posts; answers with the tweet."""

from django.core.exceptions import ValidationError
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from socialhub.api import error_response
from socialhub.parsers import JSONParser
from socials.error_kinds import http_status

from . import services
from .models import PostChannel

FILE_PATH_REFUSED = (
    "Attach media as uploaded files (multipart field mediaFiles); file_path is not accepted."
)
@extend_schema_field({"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]})
class HashtagsField(serializers.Field):
    """A list of tags, or one string of tags separated by spaces or commas."""

    def to_internal_value(self, data):
        if isinstance(data, str | list):
            return data
        raise serializers.ValidationError("Give hashtags as a list or a comma-separated string.")


class PublishTwitterSerializer(serializers.Serializer):
    content = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    hashtags = HashtagsField(required=False, default=list)
    accountId = serializers.IntegerField(required=False, allow_null=True, default=None)
    altTexts = serializers.ListField(
        child=serializers.CharField(allow_blank=True), required=False, default=list
    )


def _form_value(request, name: str):
    """Multipart forms repeat a field for a list; one value stays a plain string."""
    values = request.data.getlist(name)
    return values if len(values) > 1 else (values[0] if values else None)


class PublishTwitterView(APIView):
    """Publish now on the caller's own connected X account. JWT or session; clients only.

    Body (JSON or multipart): content, hashtags, mediaFiles (uploaded files only), altTexts,
    accountId (optional: which of the client's accounts). 201 with the tweet when X took it,
    202 when X could not be reached in time (the workers finish it), else the error envelope.
    """

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=PublishTwitterSerializer,
        responses={201: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT,
                   403: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT, 502: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        if not request.user.is_client:
            return error_response(
                "Only a client publishes directly, on their own X account.", status_code=403
            )
        data, files = self._input(request)
        serializer = PublishTwitterSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        post = services.publish_now(
            client=request.user,
            content=values["content"],
            hashtags=values["hashtags"],
            media_files=files,
            alt_texts=values["altTexts"],
            account_id=values["accountId"],
        )
        channel = post.channels.all()[0]
        body = {
            "post_id": post.pk,
            "status": post.status,
            "text": channel.sent_text,
            "tweet_id": channel.remote_id or None,
            "url": channel.remote_url or None,
        }
        if channel.state == PostChannel.State.PUBLISHED:
            return Response(
                {"success": True, "message": "Tweet published", "data": body}, status=status.HTTP_201_CREATED
            )
        if channel.state == PostChannel.State.FAILED:
            return error_response(
                channel.last_error,
                status_code=http_status(channel.error_kind),
                details={**body, "error_kind": channel.error_kind},
            )
        return Response(
            {
                "success": True,
                "message": "X did not confirm in time; SocialHub keeps trying and the post's status will say.",
                "data": {**body, "retry_reason": channel.last_error},
            },
            status=status.HTTP_202_ACCEPTED,
        )

    @staticmethod
    def _input(request):
        if not isinstance(request.data, QueryDict):  # JSON, or no body at all
            data = dict(request.data) if isinstance(request.data, dict) else {}
            media = data.pop("mediaFiles", None)
            if media:
                raise ValidationError({"mediaFiles": [FILE_PATH_REFUSED]})
            return data, []
        data = {
            name: value
            for name in ("content", "hashtags", "accountId")
            if (value := _form_value(request, name)) is not None
        }
        if alt := request.data.getlist("altTexts"):
            data["altTexts"] = alt
        if "mediaFiles" in request.data and "mediaFiles" not in request.FILES:
            raise ValidationError({"mediaFiles": [FILE_PATH_REFUSED]})
        return data, request.FILES.getlist("mediaFiles")
