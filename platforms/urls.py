from django.urls import path

from . import views
from .linkedin import views as linkedin
from .facebook import views as facebook

app_name = "platforms"

urlpatterns = [
    path("mastodon/connect/", views.mastodon_connect, name="mastodon-connect"),
    path("mastodon/callback/", views.mastodon_callback, name="mastodon-callback"),
    path("bluesky/connect/", views.bluesky_connect, name="bluesky-connect"),
    path("bluesky/callback/", views.bluesky_callback, name="bluesky-callback"),
    path("bluesky/client-metadata.json", views.bluesky_client_metadata, name="bluesky-client-metadata"),
    path("linkedin/connect/", linkedin.linkedin_connect, name="linkedin-connect"),
    path("linkedin/pages/", linkedin.linkedin_pages, name="linkedin-pages"),
    path("facebook/connect/", facebook.facebook_connect, name="facebook-connect"),
    path("facebook/pages/", facebook.facebook_pages, name="facebook-pages"),
    path("instagram/connect/", views.instagram_connect, name="instagram-connect"),
    path("instagram/callback/", views.instagram_callback, name="instagram-callback"),
]
