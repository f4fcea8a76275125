"""REST endpoints for posts and tasks. Views are thin: scoped lookup, input serializer, service, output.

Who sees what is decided once, by the QuerySet methods `for_user`; an object outside a person's
scope, or one they may not act on, answers 404 (the services' NotAllowed becomes 404 too).
"""

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, mixins, pagination, permissions, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from idempotency.decorators import IDEMPOTENCY_PARAMETER, idempotent
from socialhub.api import error_response
from socialhub.errors import NotAllowed
from socialhub.parsers import JSONParser
from socialhub.parsing import parse_id

from . import api_list, errors, services
from .models import Post, TaskAssign, listed_tasks
from .serializers import (
    PostDetailSerializer,
    PostEditFormSerializer,
    PostEditInputSerializer,
    PostFilterSerializer,
    PostFormSerializer,
    PostInputSerializer,
    PostSerializer,
    ReviewEventSerializer,
    ReviewInputSerializer,
    TaskRenameSerializer,
    TaskSerializer,
)

POST_PARSERS = [JSONParser, MultiPartParser, FormParser]


def scoped_post(request, post_id) -> Post:
    """The post with this id if the person may see it; else 404."""
    queryset = Post.objects.for_user(request.user).with_relations()
    return get_object_or_404(queryset, pk=parse_id(post_id) or 0)


def post_response(request, post: Post, status_code=status.HTTP_200_OK) -> Response:
    post = Post.objects.with_relations().get(pk=post.pk)  # fresh, with what the services changed
    return Response(PostSerializer(post, context={"request": request}).data, status=status_code)


class CreatePostForUserView(APIView):
    """The seed's `POST /post/for-user/<userId>/<taskId>`: a reseller writes a post for a client."""

    parser_classes = POST_PARSERS

    @extend_schema(
        operation_id="post_for_user_create",
        summary="Create a post for a client (reseller)",
        description="`userId` is the client's user id, `taskId` the task that links the reseller to "
        "that client. JSON, or multipart/form-data with `media` files and their `alt_texts`. The "
        "post starts pending approval (status 0).\n\n"
        "A thread: `parts`, every part in order with part 1 first, instead of `content` and "
        "`media` (JSON: `[{\"content\": \"...\"}, ...]`; multipart: `parts[N][content]`, "
        "`parts[N][alt_texts]` and the files `parts[N][media]`, repeated, N counting from 0). "
        "At most 25 parts, each within X's weighted 280; hashtags go on part 1. Approved as one "
        "post; published as part 1, then each part as a reply to the one before.",
        parameters=[IDEMPOTENCY_PARAMETER],
        request={"application/json": PostInputSerializer, "multipart/form-data": PostFormSerializer},
        responses={201: PostSerializer},
        tags=["post"],
    )
    @idempotent
    def post(self, request, userId: str, taskId: str):  # noqa: N803 (the seed's names)
        task = get_object_or_404(
            TaskAssign.objects.for_user(request.user), pk=parse_id(taskId) or 0, user_id=parse_id(userId) or 0
        )
        if not services.can_write_for(request.user, task):
            raise NotAllowed("You can write posts only for the clients of your own tasks.")
        serializer = PostFormSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kwargs = {"content": "", **serializer.service_kwargs()}
        post = services.create_post(author=request.user, task=task, **kwargs)
        return post_response(request, post, status.HTTP_201_CREATED)


class ReviewPostView(APIView):
    """The seed's `PATCH /post/<id>/review`: the client (or staff) approves or rejects."""

    parser_classes = POST_PARSERS

    @extend_schema(
        operation_id="post_review",
        summary='Approve (1 or "approve") or reject (2 or "reject") a pending post (client or staff)',
        description="Approving hands the post to publishing (at once, or at its `schedule_at`); "
        "rejecting needs `feedback` saying why. `version` is the post's version you read: every "
        "edit raises it, and a review of an older version answers 409 \"This post changed since "
        "you opened it\" with the current post in `details.post` (nothing is reviewed).",
        request=ReviewInputSerializer,
        responses={200: PostSerializer},
        tags=["post"],
    )
    def patch(self, request, postId: str):  # noqa: N803 (the seed's name)
        post = review(request, scoped_post(request, postId))
        if isinstance(post, Response):
            return post
        return post_response(request, post)


def review(request, post: Post) -> Post | Response:
    """Both review endpoints: the reviewed post, or 409 with the post as it is now when the
    review named a version that is no longer current."""
    serializer = ReviewInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    try:
        return services.review_post(actor=request.user, post=post, **serializer.validated_data)
    except errors.Stale as exc:
        current = Post.objects.with_relations().get(pk=post.pk)
        return error_response(
            str(exc),
            status_code=status.HTTP_409_CONFLICT,
            details={"version": current.version, "post": PostSerializer(current, context={"request": request}).data},
        )


class NewestFirstCursor(pagination.CursorPagination):
    """Pages of posts newest first, by position rather than page number: `next` and `previous`
    are links with an opaque `cursor`. Every page costs the same however deep it is, and posts
    written or deleted meanwhile neither repeat rows nor skip them. There is no total."""

    ordering = ("-created_at", "-pk")  # stable: the id breaks ties between equal times
    page_size = settings.REST_FRAMEWORK["PAGE_SIZE"]
    page_size_query_param = "page_size"
    max_page_size = 100


@extend_schema(tags=["posts"])
class PostListView(generics.ListAPIView):
    """Posts the person may see, newest first: a reseller's tasks', a client's own, all for staff.

    Paged by cursor: follow `next` for older posts, `previous` for newer ones (`page_size` up to 100)."""

    serializer_class = PostSerializer
    pagination_class = NewestFirstCursor

    def get_queryset(self):
        # A post shows its task's people by id only. The viewer's tasks are read first anyway (to
        # filter by them), with those ids, and handed to the page's posts: nothing is joined.
        # Staff see every task: their page joins each post's task instead.
        user = self.request.user
        self.tasks = None
        if not user.is_platform_staff:
            self.tasks = {task.pk: (task.user_id, task.reseller_id) for task in listed_tasks(user, ordered=False)}
        task_ids = None if self.tasks is None else list(self.tasks)
        listed = Post.objects.listed_for(user, task_ids).for_list(join=())
        posts = PostFilterSerializer.apply(self.request.query_params, listed)
        return api_list.rows(posts, join_task=self.tasks is None)

    def list(self, request, *args, **kwargs):
        # The page as plain rows (posts.api_list), not PostSerializer over models: the same JSON.
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(api_list.represent(page, request, self.tasks))

    @extend_schema(operation_id="posts_list", parameters=[PostFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["posts"])
class PostDetailView(APIView):
    """One post: read it, change it while pending or rejected, delete it while not sent."""

    parser_classes = POST_PARSERS

    @extend_schema(operation_id="posts_retrieve", responses={200: PostDetailSerializer})
    def get(self, request, post_id: str):
        return Response(PostDetailSerializer(scoped_post(request, post_id), context={"request": request}).data)

    @extend_schema(
        operation_id="posts_partial_update",
        description="Only the fields given change. A rejected post goes back to pending approval.",
        request={"application/json": PostEditInputSerializer, "multipart/form-data": PostEditFormSerializer},
        responses={200: PostSerializer},
    )
    def patch(self, request, post_id: str):
        post = scoped_post(request, post_id)
        if not services.can_edit(request.user, post):
            raise NotAllowed("You cannot edit this post.")
        serializer = PostEditFormSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        post = services.edit_post(actor=request.user, post=post, **serializer.service_kwargs())
        return post_response(request, post)

    @extend_schema(operation_id="posts_destroy", responses={204: OpenApiResponse(description="Deleted.")})
    def delete(self, request, post_id: str):
        services.delete_post(actor=request.user, post=scoped_post(request, post_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["posts"])
class RetryPostView(APIView):
    """Send a failed post again (its client or staff)."""

    @extend_schema(
        operation_id="posts_retry",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=None,
        responses={200: PostSerializer},
    )
    @idempotent
    def post(self, request, post_id: str):
        post = services.retry_post(actor=request.user, post=scoped_post(request, post_id))
        return post_response(request, post)


@extend_schema(tags=["posts"])
class PostReviewsView(generics.ListAPIView):
    """A post's review history, oldest first (each review with the version it reviewed); POST
    reviews the post, as `PATCH /post/<id>/review` does."""

    serializer_class = ReviewEventSerializer
    parser_classes = POST_PARSERS

    def get_queryset(self):
        post = scoped_post(self.request, self.kwargs["post_id"])
        return post.reviews.select_related("actor", "link_decision").order_by("created_at", "pk")

    @extend_schema(operation_id="posts_reviews_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="posts_reviews_create",
        description='Approve (1 or "approve") or reject (2 or "reject") the post as the version you read; '
        "409 with the current post in `details.post` when it changed since.",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=ReviewInputSerializer,
        responses={201: ReviewEventSerializer},
    )
    @idempotent
    def post(self, request, post_id: str):
        post = review(request, scoped_post(request, post_id))
        if isinstance(post, Response):
            return post
        event = post.reviews.select_related("actor").order_by("-created_at", "-pk").first()
        return Response(ReviewEventSerializer(event).data, status=status.HTTP_201_CREATED)


class TaskWriters(permissions.BasePermission):
    message = "Only staff and resellers change tasks."

    def has_permission(self, request, view):
        user = request.user
        if request.method in permissions.SAFE_METHODS or user.is_platform_staff:
            return True
        return user.is_reseller and view.action in ("create", "partial_update")


@extend_schema(tags=["tasks"])
class TaskViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Tasks: staff assign a reseller to a client; a reseller adds and renames tasks for their own
    clients (`reseller` may then be left out); clients read their own."""

    permission_classes = [permissions.IsAuthenticated, TaskWriters]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_url_kwarg = "task_id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view
            return TaskAssign.objects.none()
        return TaskAssign.objects.for_user(self.request.user).select_related("user", "reseller")

    def get_object(self):
        self.kwargs[self.lookup_url_kwarg] = parse_id(self.kwargs[self.lookup_url_kwarg]) or 0
        return super().get_object()

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False):  # the schema documents staff's shape
            return TaskSerializer
        if self.action == "partial_update" and not self.request.user.is_platform_staff:
            return TaskRenameSerializer
        return TaskSerializer

    @extend_schema(parameters=[IDEMPOTENCY_PARAMETER])
    @idempotent
    def create(self, request, *args, **kwargs):
        if request.user.is_reseller:  # another reseller's client (or no client) answers 404, like everywhere
            clients = User.objects.clients_of(request.user)
            client_id = request.data.get("user") if hasattr(request.data, "get") else None
            get_object_or_404(clients, pk=parse_id(client_id) or 0)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.assign_task(
            actor=self.request.user,
            client=data["user"],
            reseller=data.get("reseller"),
            title=data["title"],
            brief=data.get("brief", ""),
            approval_policy=data.get("approval_policy", TaskAssign.ApprovalPolicy.CLIENT),
        )

    def partial_update(self, request, *args, **kwargs):
        fields = set(request.data) if hasattr(request.data, "keys") else set()
        if not request.user.is_platform_staff and fields & {"user", "reseller"}:
            raise exceptions.PermissionDenied("Only staff change a task's client or reseller.")
        return super().partial_update(request, *args, **kwargs)

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.update_task(
            actor=self.request.user,
            task=serializer.instance,
            client=data.get("user"),
            reseller=data.get("reseller"),
            title=data.get("title"),
            brief=data.get("brief"),
            approval_policy=data.get("approval_policy"),
        )

    def perform_destroy(self, instance):
        services.delete_task(actor=self.request.user, task=instance)
