"""The seed's paths, word for word (mounted at the site root by socialhub/urls.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("post/for-user/<str:userId>/<str:taskId>", api.CreatePostForUserView.as_view(), name="api-post-for-user"),
    path("post/<str:postId>/review", api.ReviewPostView.as_view(), name="api-post-review"),
]
