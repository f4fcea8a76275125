from django.contrib import admin
from django.urls import include, path, re_path

from posts import media_views
from posts.api_publish import PublishTwitterView

from . import api, views

admin.site.site_header = "SocialHub administration"
admin.site.site_title = "SocialHub admin"
# The side bar takes 270 px that the change lists need at 1,280 px; the admin's home lists every app.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/publishing", views.healthz_publishing, name="healthz-publishing"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("socials/publish/twitter", PublishTwitterView.as_view(), name="publish-twitter"),
    path("posts/", include("posts.urls")),
    path("templates/", include("content_templates.urls")),
    path("settings/", include("accounts.urls")),
    path("socials/", include("socials.urls")),
    path("platforms/", include("platforms.urls")),
    path("notifications/", include("notifications.urls")),
    path("agency/", include("agency.urls")),
    # Uploaded files, permission-checked or by signed link, with DEBUG on or off (never the
    # storage's own paths: see posts/media_views.py).
    path("media/<str:owner>/<int:pk>", media_views.serve, name="media-file"),
    path("api/", include("socialhub.api_urls")),  # the REST API, X accounts included
    path("", include("posts.seed_urls")),  # the seed's /post/... paths
    # Last: what nobody above serves under the API's prefixes answers JSON (or redirects a slash).
    re_path(r"^(?:api|post|socials)/", api.unknown_path, name="unknown-path"),
]

# JSON errors under /api/, /post/ and /socials/; the usual pages elsewhere.
handler400 = "socialhub.api.bad_request"
handler403 = "socialhub.api.permission_denied"
handler404 = "socialhub.api.page_not_found"
handler500 = "socialhub.api.server_error"
