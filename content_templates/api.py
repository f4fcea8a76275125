"""REST endpoints for content templates, scoped like posts.

Who sees what is decided once, by `ContentTemplate.objects.for_user`: a reseller sees their own and
the shared ones (another reseller's private template answers 404), staff see all, clients none.
Changing a template one may see but not manage (a shared one, for a reseller) answers 403; clients
may not use the writing endpoints at all (403).
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from idempotency.decorators import IDEMPOTENCY_PARAMETER, idempotent
from socialhub.parsers import JSONParser
from socialhub.parsing import parse_id

from . import services
from .models import ContentTemplate
from .serializers import (
    RenderedSerializer,
    RenderInputSerializer,
    TemplateEditFormSerializer,
    TemplateEditInputSerializer,
    TemplateFormSerializer,
    TemplateInputSerializer,
    TemplateSerializer,
)

PARSERS = [JSONParser, MultiPartParser, FormParser]


class WritersOnly(permissions.BasePermission):
    """Reading is open to everyone signed in (scoped); writing and rendering to resellers and staff."""

    message = "Only resellers and staff use templates."

    def has_permission(self, request, view):
        user = request.user
        return request.method in permissions.SAFE_METHODS or user.is_reseller or user.is_platform_staff


def scoped_template(request, template_id) -> ContentTemplate:
    """The template with this id if the person may see it; else 404."""
    queryset = ContentTemplate.objects.for_user(request.user).with_media()
    return get_object_or_404(queryset, pk=parse_id(template_id) or 0)


def managed_template(request, template_id) -> ContentTemplate:
    template = scoped_template(request, template_id)
    if not services.can_manage_template(request.user, template):
        raise exceptions.PermissionDenied("Only its owner changes a template; staff change the shared ones.")
    return template


def template_response(request, template: ContentTemplate, status_code=status.HTTP_200_OK) -> Response:
    template = ContentTemplate.objects.with_media().get(pk=template.pk)
    return Response(TemplateSerializer(template, context={"request": request}).data, status=status_code)


@extend_schema(tags=["templates"])
class TemplateListView(generics.ListAPIView):
    """Templates the person may use, by name: a reseller's own and the shared ones; all for staff."""

    serializer_class = TemplateSerializer
    permission_classes = [permissions.IsAuthenticated, WritersOnly]
    parser_classes = PARSERS

    def get_queryset(self):
        return ContentTemplate.objects.for_user(self.request.user).with_media()

    @extend_schema(operation_id="templates_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="templates_create",
        description="A reseller's template is their own; staff's is shared with every reseller. Unknown "
        "placeholders are refused here, not when a post is started.",
        parameters=[IDEMPOTENCY_PARAMETER],
        request={"application/json": TemplateInputSerializer, "multipart/form-data": TemplateFormSerializer},
        responses={201: TemplateSerializer},
    )
    @idempotent
    def post(self, request):
        serializer = TemplateFormSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = services.create_template(actor=request.user, **serializer.service_kwargs())
        return template_response(request, template, status.HTTP_201_CREATED)


@extend_schema(tags=["templates"])
class TemplateDetailView(APIView):
    """One template: read it; its owner (staff for shared ones) changes or deletes it."""

    permission_classes = [permissions.IsAuthenticated, WritersOnly]
    parser_classes = PARSERS

    @extend_schema(operation_id="templates_retrieve", responses={200: TemplateSerializer})
    def get(self, request, template_id: str):
        template = scoped_template(request, template_id)
        return Response(TemplateSerializer(template, context={"request": request}).data)

    @extend_schema(
        operation_id="templates_partial_update",
        description="Only the fields given change.",
        request={"application/json": TemplateEditInputSerializer, "multipart/form-data": TemplateEditFormSerializer},
        responses={200: TemplateSerializer},
    )
    def patch(self, request, template_id: str):
        template = managed_template(request, template_id)
        serializer = TemplateEditFormSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        template = services.update_template(actor=request.user, template=template, **serializer.service_kwargs())
        return template_response(request, template)

    @extend_schema(operation_id="templates_destroy", responses={204: OpenApiResponse(description="Deleted.")})
    def delete(self, request, template_id: str):
        services.delete_template(actor=request.user, template=managed_template(request, template_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["templates"])
class RenderTemplateView(APIView):
    """Fill a template in for a task, as the composer does when a post is started from it."""

    permission_classes = [permissions.IsAuthenticated, WritersOnly]

    @extend_schema(
        operation_id="templates_render",
        description="Nothing is saved. Unknown placeholders, missing values and a result over 280 "
        "(X's weighted length) answer 400 with the problems in `details` (`text`, `values`).",
        request=RenderInputSerializer,
        responses={200: RenderedSerializer},
    )
    def post(self, request, template_id: str):
        template = scoped_template(request, template_id)
        serializer = RenderInputSerializer(data=request.data, user=request.user)
        serializer.is_valid(raise_exception=True)
        rendered = services.render(template, **serializer.validated_data)
        return Response(RenderedSerializer(rendered, context={"request": request}).data)
