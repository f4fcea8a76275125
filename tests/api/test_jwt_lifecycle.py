"""JWTs: short access tokens, refresh tokens that work once, and nothing outlives a password change."""

from django.conf import settings
from rest_framework.test import APIClient


def obtain(username, password):
    answer = APIClient().post("/api/auth/token", {"username": username, "password": password}, format="json")
    assert answer.status_code == 200, answer.json()
    return answer.json()


def me(access):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get("/api/users/me")


def refresh(token):
    return APIClient().post("/api/auth/token/refresh", {"refresh": token}, format="json")


def test_access_tokens_are_short():
    assert settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds() <= 15 * 60


def test_a_refresh_token_works_once_and_hands_out_a_new_one(rita):
    tokens = obtain("rita", "pw-rita")
    first = refresh(tokens["refresh"])
    assert first.status_code == 200
    assert me(first.json()["access"]).status_code == 200
    assert refresh(tokens["refresh"]).status_code == 401  # blacklisted after rotation
    assert refresh(first.json()["refresh"]).status_code == 200


def test_a_password_change_ends_every_earlier_token(rita):
    tokens = obtain("rita", "pw-rita")
    assert me(tokens["access"]).status_code == 200
    rita.set_password("a-new-long-password")
    rita.save()

    assert me(tokens["access"]).status_code == 401
    answer = refresh(tokens["refresh"])
    assert answer.status_code == 401
    assert answer.json()["success"] is False
    fresh = obtain("rita", "a-new-long-password")
    assert me(fresh["access"]).status_code == 200


def test_a_password_change_on_the_settings_page_ends_api_tokens(client, rita):
    tokens = obtain("rita", "pw-rita")
    client.force_login(rita)
    answer = client.post(
        "/accounts/password/change/",
        {"oldpassword": "pw-rita", "password1": "a-new-long-password", "password2": "a-new-long-password"},
    )
    assert answer.status_code == 302
    assert me(tokens["access"]).status_code == 401


def test_a_deleted_users_refresh_token_is_a_401_not_a_500(rita):
    tokens = obtain("rita", "pw-rita")
    rita.delete()
    assert refresh(tokens["refresh"]).status_code == 401


def test_the_admin_never_shows_refresh_tokens(client, sam, rita):
    obtain("rita", "pw-rita")
    client.force_login(sam)
    assert client.get("/admin/token_blacklist/outstandingtoken/").status_code == 404
    assert "token_blacklist" not in client.get("/admin/").content.decode()
