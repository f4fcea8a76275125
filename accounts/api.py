"""REST endpoints for people: staff manage users; everyone may read who they are."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, permissions, viewsets

from idempotency.decorators import IDEMPOTENCY_PARAMETER, idempotent

from . import services
from .models import User
from .serializers import MeSerializer, UserSerializer, UserUpdateSerializer


class IsPlatformStaff(permissions.BasePermission):
    message = "Only staff can manage users."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_platform_staff)


class UserViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Staff: list, create (resellers, clients, staff), read and change people. Deactivate instead of deleting."""

    permission_classes = [permissions.IsAuthenticated, IsPlatformStaff]
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = User.objects.order_by("username", "pk")

    def get_serializer_class(self):
        if self.action == "partial_update":
            return UserUpdateSerializer
        return UserSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        role = self.request.query_params.get("role")
        return queryset.filter(role=role) if role else queryset

    @extend_schema(parameters=[OpenApiParameter("role", str, enum=User.Role.values, description="Only this role.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[IDEMPOTENCY_PARAMETER])
    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.create_user(actor=self.request.user, **serializer.validated_data)


class MeView(generics.RetrieveAPIView):
    """The person the credentials belong to: their id, role and time zone."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user
