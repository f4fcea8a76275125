from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from posts.api_publish import PublishTwitterView

from . import views

admin.site.site_header = "SocialHub administration"
admin.site.site_title = "SocialHub admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("socials/publish/twitter", PublishTwitterView.as_view(), name="publish-twitter"),
    path("posts/", include("posts.urls")),
    path("settings/", include("accounts.urls")),
    path("socials/", include("socials.urls")),
    # X accounts in the REST API; the integrator may fold this into socialhub/api_urls.py.
    path("api/", include("socials.api_urls")),
    path("notifications/", include("notifications.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
