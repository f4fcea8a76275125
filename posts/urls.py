from django.urls import path

from . import views

app_name = "posts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.compose, name="compose"),
    path("preview", views.preview_text, name="preview"),
    path("status/", views.status, name="status"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/review/", views.bulk_review, name="bulk_review"),
    path("reviewed/", views.reviewed, name="reviewed"),
    path("published/", views.published, name="published"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
