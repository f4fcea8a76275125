"""REST for X accounts: the seed's test-connection endpoint and /api/accounts.

Errors come out in the seed's envelope through socialhub.api.exception_handler. Token fields are
write-only: they go in, they never come back out.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from socialhub.api import OpaqueIdField
from socialhub.parsing import parse_id

from . import services
from .error_kinds import NOT_CONNECTED
from .models import Account


class AccountSerializer(serializers.ModelSerializer):
    id = serializers.CharField(read_only=True)
    user = OpaqueIdField(
        queryset=User.objects.clients(), required=False,
        help_text="The client who owns it (staff only; a client adds accounts for themselves).",
    )
    status = serializers.CharField(source="status_label", read_only=True)
    can_post = serializers.BooleanField(read_only=True)
    token_type = serializers.ChoiceField(choices=Account.TokenType.choices)
    server_url = serializers.CharField(
        read_only=True, help_text="The Mastodon instance or Bluesky PDS the account lives on; empty for X.")

    def validate_token_type(self, value: str) -> str:
        # Registering tokens by hand is for X; Bluesky's app-password sessions come from its connect flow.
        if value == Account.TokenType.APP_PASSWORD:
            raise serializers.ValidationError("App password sessions come from connecting Bluesky on the accounts page.")
        return value

    class Meta:
        model = Account
        fields = [
            "id", "user", "provider", "server_url", "provider_account_id", "username", "name", "token_type", "state",
            "status", "state_message", "can_post", "expires_at", "scope", "last_checked_at", "created_at",
            "updated_at", *services.TOKEN_FIELDS,
        ]
        # The same X id again is a reconnect (register_account), not a uniqueness error.
        validators = []
        read_only_fields = ["provider", "server_url", "state", "state_message", "last_checked_at", "created_at", "updated_at"]
        extra_kwargs = {
            name: {"write_only": True, "required": False, "allow_blank": True,
                   "style": {"input_type": "password"}}
            for name in services.TOKEN_FIELDS
        } | {"provider_account_id": {"required": False}}


class ResellersOnlyRead(permissions.BasePermission):
    message = "Resellers can see their clients' X accounts but not change them."

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or not request.user.is_reseller


class AccountViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    mixins.DestroyModelMixin, viewsets.GenericViewSet,
):
    """X accounts: a client's own, a reseller's clients' (read only), all for staff.
    Creating registers tokens the client already has; deleting disconnects (tokens deleted and
    revoked, waiting posts held)."""

    serializer_class = AccountSerializer
    permission_classes = [permissions.IsAuthenticated, ResellersOnlyRead]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular building the schema
            return Account.objects.none()
        return Account.objects.for_user(self.request.user).select_related("user")

    @extend_schema(responses={201: AccountSerializer, 200: AccountSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        owner = data.pop("user", None)
        if not request.user.is_platform_staff or owner is None:
            owner = request.user
        connected = services.register_account(actor=request.user, user=owner, **data)
        code = status.HTTP_201_CREATED if connected.created else status.HTTP_200_OK
        return Response(self.get_serializer(connected.account).data, status=code)

    def update(self, request, *args, **kwargs):
        account = self.get_object()
        serializer = self.get_serializer(account, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("user", None)
        data.pop("provider_account_id", None)  # another X id is another account
        account = services.update_account(actor=request.user, account=account, **data)
        return Response(self.get_serializer(account).data)

    @extend_schema(responses={200: inline_serializer("AccountDisconnected", {
        "success": serializers.BooleanField(),
        "message": serializers.CharField(),
        "details": serializers.DictField(),
    })})
    def destroy(self, request, *args, **kwargs):
        result = services.disconnect_account(actor=request.user, account=self.get_object())
        return Response({
            "success": True,
            "message": f"Disconnected X account {result.account}.",
            "details": {"revoked": result.revoked, "held_posts": result.held,
                        "account": self.get_serializer(result.account).data},
        })


class TestConnectionView(APIView):
    """GET /socials/test-connection/twitter[?account=<id>]: does the X connection work?

    Answers 200 with {"success", "message", "details"} whether or not it works (`success` says);
    404 in the error envelope when the person has no such connected account.
    """

    @extend_schema(
        parameters=[OpenApiParameter("account", int, description="An X account id; default: your first connected one.")],
        responses=inline_serializer("TestConnection", {
            "success": serializers.BooleanField(),
            "message": serializers.CharField(),
            "details": serializers.DictField(),
        }),
    )
    def get(self, request):
        account = self._account(request)
        report = services.test_connection(actor=request.user, account=account)
        return Response({"success": report.works, "message": report.message, "details": report.as_dict()})

    @staticmethod
    def _account(request) -> Account:
        wanted = request.query_params.get("account")
        if wanted:
            pk = parse_id(wanted)
            account = Account.objects.for_user(request.user).filter(pk=pk).first() if pk else None
        else:
            account = Account.objects.filter(user=request.user, provider="twitter").connected().order_by("pk").first()
        if account is None:
            raise NotFound(NOT_CONNECTED)
        return account
