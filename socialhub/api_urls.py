"""The REST API under /api/: JWT auth, people, tasks, posts, templates, the OpenAPI schema, Swagger UI and ReDoc."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts import api as accounts_api
from accounts import api_auth
from agency import api as agency_api
from content_templates import api as templates_api
from posts import api as posts_api

router = SimpleRouter(trailing_slash=False)
router.register("users", accounts_api.UserViewSet, basename="api-users")
router.register("tasks", posts_api.TaskViewSet, basename="api-tasks")

urlpatterns = [
    path("auth/token", api_auth.TokenObtainView.as_view(), name="api-token"),
    path("auth/token/refresh", api_auth.TokenRefreshView.as_view(), name="api-token-refresh"),
    path("users/me", accounts_api.MeView.as_view(), name="api-me"),
    path("posts", posts_api.PostListView.as_view(), name="api-posts"),
    path("posts/<str:post_id>", posts_api.PostDetailView.as_view(), name="api-post"),
    path("posts/<str:post_id>/retry", posts_api.RetryPostView.as_view(), name="api-post-retry"),
    path("posts/<str:post_id>/comments", agency_api.PostCommentsView.as_view(), name="api-post-comments"),
    path("posts/<str:post_id>/reviews", posts_api.PostReviewsView.as_view(), name="api-post-reviews"),
    path("invitations", agency_api.InvitationListView.as_view(), name="api-invitations"),
    path("invitations/<str:invitation_id>", agency_api.InvitationDetailView.as_view(), name="api-invitation"),
    path("invitations/<str:invitation_id>/resend", agency_api.ResendInvitationView.as_view(), name="api-invitation-resend"),
    path("invitations/<str:invitation_id>/revoke", agency_api.RevokeInvitationView.as_view(), name="api-invitation-revoke"),
    path("review-links", agency_api.ReviewLinkListView.as_view(), name="api-review-links"),
    path("review-links/<str:link_id>/revoke", agency_api.RevokeReviewLinkView.as_view(), name="api-review-link-revoke"),
    path("templates", templates_api.TemplateListView.as_view(), name="api-templates"),
    path("templates/<str:template_id>", templates_api.TemplateDetailView.as_view(), name="api-template"),
    path("templates/<str:template_id>/render", templates_api.RenderTemplateView.as_view(), name="api-template-render"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI and ReDoc come from drf-spectacular-sidecar's static files (SWAGGER_UI_DIST and
    # REDOC_DIST "SIDECAR"); the split view serves Swagger UI's start-up script as its own file.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html"), name="api-redoc"),
    *router.urls,
    path("", include("socials.api_urls")),  # /api/accounts
]
