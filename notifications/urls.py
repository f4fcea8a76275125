from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("settings/webhook/", views.webhook, name="webhook"),
    path("settings/webhook/test/", views.webhook_test, name="webhook_test"),
]
