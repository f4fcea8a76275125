"""REST endpoints for invitations. Resellers see their own; staff all; an invitation outside a
person's scope answers 404."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from idempotency.decorators import IDEMPOTENCY_PARAMETER, idempotent
from socialhub.api import parse_id

from posts.models import Post

from . import comments, invitations, review_links
from .models import Invitation, ReviewLink
from .serializers import (
    CommentInputSerializer,
    InvitationSerializer,
    ReviewLinkInputSerializer,
    ReviewLinkSerializer,
    ThreadEntrySerializer,
)


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


@extend_schema(tags=["review links"])
class ReviewLinkListView(APIView):
    """Signed, expiring links through which a client reviews posts without logging in."""

    @extend_schema(operation_id="review_links_list", responses={200: ReviewLinkSerializer(many=True)})
    def get(self, request):
        links = ReviewLink.objects.for_user(request.user).prefetch_related("posts")[:100]
        return Response(ReviewLinkSerializer(links, many=True).data)

    @extend_schema(
        operation_id="review_links_create",
        description="A link for one pending post or a batch of one client's pending posts "
        f"(good for {settings.REVIEW_LINK_MAX_AGE_DAYS} days unless revoked). Resellers and staff.",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=ReviewLinkInputSerializer,
        responses={201: ReviewLinkSerializer},
    )
    @idempotent
    def post(self, request):
        serializer = ReviewLinkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = [parse_id(raw) or 0 for raw in serializer.validated_data["posts"]]
        posts = list(Post.objects.for_user(request.user).filter(pk__in=ids).select_related("task"))
        if len(posts) != len(set(ids)):
            raise Http404
        link = review_links.create_link(actor=request.user, posts=posts)
        return Response(ReviewLinkSerializer(link).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["review links"])
class RevokeReviewLinkView(APIView):
    @extend_schema(operation_id="review_links_revoke", request=None, responses={200: ReviewLinkSerializer})
    def post(self, request, link_id: str):
        link = get_object_or_404(ReviewLink.objects.for_user(request.user), pk=parse_id(link_id) or 0)
        return Response(ReviewLinkSerializer(review_links.revoke_link(actor=request.user, link=link)).data)


@extend_schema(tags=["posts"])
class PostCommentsView(APIView):
    """A post's thread between its reseller, its client and staff: comments and rejection feedback."""

    @extend_schema(operation_id="posts_comments_list", responses={200: ThreadEntrySerializer(many=True)})
    def get(self, request, post_id: str):
        post = get_object_or_404(Post.objects.for_user(request.user), pk=parse_id(post_id) or 0)
        return Response(ThreadEntrySerializer(comments.thread_for(post), many=True).data)

    @extend_schema(
        operation_id="posts_comments_create",
        description="Notifies the other side (the client, or the reseller; both when staff write) by "
        "email and with the webhook event `post.commented`.",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=CommentInputSerializer,
        responses={201: ThreadEntrySerializer},
    )
    @idempotent
    def post(self, request, post_id: str):
        post = get_object_or_404(Post.objects.for_user(request.user), pk=parse_id(post_id) or 0)
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = comments.add_comment(actor=request.user, post=post, body=serializer.validated_data["body"])
        entry = comments.ThreadEntry("comment", comment.pk, comment.author, comment.body, comment.created_at, False)
        return Response(ThreadEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
