"""REST endpoints for invitations. Resellers see their own; staff all; an invitation outside a
person's scope answers 404."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from idempotency.decorators import IDEMPOTENCY_PARAMETER, idempotent
from socialhub.api import parse_id

from . import invitations
from .models import Invitation
from .serializers import InvitationSerializer


def scoped_invitation(request, invitation_id) -> Invitation:
    return get_object_or_404(Invitation.objects.for_user(request.user), pk=parse_id(invitation_id) or 0)


class ResellersInvite(permissions.BasePermission):
    message = "Only resellers invite clients."

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.user.is_reseller


@extend_schema(tags=["invitations"])
class InvitationListView(generics.ListCreateAPIView):
    """A reseller invites a client by email; resellers list their own invitations, staff all."""

    serializer_class = InvitationSerializer
    permission_classes = [permissions.IsAuthenticated, ResellersInvite]

    def get_queryset(self):
        return Invitation.objects.for_user(self.request.user).select_related("reseller")

    @extend_schema(operation_id="invitations_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="invitations_create",
        description="Emails the client a signed link, good once for 7 days. Accepting it creates "
        "the client's login and a task linking them to you. Resellers only.",
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: InvitationSerializer},
    )
    @idempotent
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = invitations.invite_client(actor=self.request.user, **serializer.validated_data)


@extend_schema(tags=["invitations"])
class InvitationDetailView(APIView):
    @extend_schema(operation_id="invitations_retrieve", responses={200: InvitationSerializer})
    def get(self, request, invitation_id: str):
        return Response(InvitationSerializer(scoped_invitation(request, invitation_id)).data)


@extend_schema(tags=["invitations"])
class ResendInvitationView(APIView):
    @extend_schema(
        operation_id="invitations_resend",
        description="Emails a new link, good for another 7 days; the earlier link stops working.",
        request=None,
        responses={200: InvitationSerializer},
    )
    def post(self, request, invitation_id: str):
        invitation = invitations.resend_invitation(
            actor=request.user, invitation=scoped_invitation(request, invitation_id)
        )
        return Response(InvitationSerializer(invitation).data)


@extend_schema(tags=["invitations"])
class RevokeInvitationView(APIView):
    @extend_schema(
        operation_id="invitations_revoke", description="Its link stops working.", request=None,
        responses={200: InvitationSerializer},
    )
    def post(self, request, invitation_id: str):
        invitation = invitations.revoke_invitation(
            actor=request.user, invitation=scoped_invitation(request, invitation_id)
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_200_OK)
