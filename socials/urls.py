from django.urls import path

from . import api, views

app_name = "socials"

urlpatterns = [
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/<int:pk>/", views.account_detail, name="account"),
    path("accounts/<int:pk>/test/", views.test_connection, name="test"),
    path("accounts/<int:pk>/disconnect/", views.disconnect, name="disconnect"),
    # The seed's REST path (JWT or session), answered in the seed's JSON.
    path("test-connection/twitter", api.TestConnectionView.as_view(), name="test-connection"),
]
