"""GET /socials/test-connection/twitter, the page button and the admin action, per kind of token."""

import datetime as dt

import responses
from django.utils import timezone

from socials.models import Account
from tests.conftest import X_APP_API as API, make_account

ME_URL = f"{API}/2/users/me"
LIMITS = {"x-rate-limit-limit": "75", "x-rate-limit-remaining": "74", "x-rate-limit-reset": "1900000000"}


def me(username="alice_x", user_id="4242"):
    return {"data": {"id": user_id, "name": "Alice", "username": username}}


@responses.activate
def test_an_oauth2_account_reports_it_works_with_expiry_and_rate_limit(client, alice, alice_account, x_app):
    responses.get(ME_URL, json=me(), headers=LIMITS)
    client.force_login(alice)

    body = client.get("/socials/test-connection/twitter").json()

    assert body["success"] is True
    details = body["details"]
    assert details["works"] and details["can_post"] and details["username"] == "alice_x"
    assert details["auth_type"] == "oauth2_user" and details["current_authentication"] == "OAuth 2.0 User Context"
    assert details["expires_at"] == alice_account.expires_at.isoformat()
    assert details["rate_limit"] == {"limit": 75, "remaining": 74, "reset_at": "2030-03-17T17:46:40+00:00"}
    assert responses.calls[0].request.headers["Authorization"] == "Bearer access-alice_x"
    assert Account.objects.get(pk=alice_account.pk).last_checked_at is not None


@responses.activate
def test_an_oauth1_account_signs_the_call_with_its_token(client, alice, x_app):
    account = make_account(alice, "alice_o1", token_type="oauth1", oauth1_access_token="t1",
                           oauth1_access_token_secret="s1", expires_at=None)
    responses.get(ME_URL, json=me("alice_o1"), headers=LIMITS)
    client.force_login(alice)
    body = client.get("/socials/test-connection/twitter", {"account": account.pk}).json()
    assert body["success"] and body["details"]["current_authentication"] == "OAuth 1.0a User Context"
    assert body["details"]["expires_at"] is None
    header = responses.calls[0].request.headers["Authorization"]
    header = header.decode() if isinstance(header, bytes) else header
    assert 'oauth_token="t1"' in header and 'oauth_consumer_key="ckey"' in header


@responses.activate
def test_a_bearer_only_account_can_read_but_not_post(client, alice, x_app):
    account = make_account(alice, "alice_read", provider_account_id="55", token_type="bearer",
                           oauth2_access_token="", oauth2_refresh_token="", expires_at=None)
    responses.get(f"{API}/2/users/55", json=me("alice_read", "55"), headers=LIMITS)
    client.force_login(alice)
    body = client.get("/socials/test-connection/twitter", {"account": account.pk}).json()
    assert body["success"] is True
    assert body["message"] == "Connected with a Bearer Token (Application-Only): it can read but not post."
    assert body["details"]["can_read"] and not body["details"]["can_post"]
    assert body["details"]["required_authentication"] == "OAuth 1.0a or OAuth 2.0 User Context"
    assert responses.calls[0].request.headers["Authorization"] == "Bearer app-bearer"  # settings' app token


@responses.activate
def test_a_revoked_token_reports_reconnect_needed(client, alice, x_app):
    account = make_account(alice, "alice_x", oauth2_refresh_token="", token_type="oauth2_user")
    responses.get(ME_URL, status=401, json={"title": "Unauthorized", "status": 401})
    client.force_login(alice)
    body = client.get("/socials/test-connection/twitter").json()
    assert body["success"] is False and body["details"]["error_kind"] == "auth"
    assert "Reconnect your X account" in body["message"]
    assert Account.objects.get(pk=account.pk).state == Account.State.RECONNECT_NEEDED


@responses.activate
def test_an_expired_token_is_refreshed_before_the_test(client, alice, x_app):
    account = make_account(alice, "alice_x", expires_at=timezone.now() - dt.timedelta(minutes=1))
    responses.post(f"{API}/2/oauth2/token", json={"access_token": "renewed", "refresh_token": "r2", "expires_in": 7200})
    responses.get(ME_URL, json=me())
    client.force_login(alice)
    body = client.get("/socials/test-connection/twitter").json()
    assert body["success"] and responses.calls[1].request.headers["Authorization"] == "Bearer renewed"
    assert body["details"]["expires_at"] == Account.objects.get(pk=account.pk).expires_at.isoformat()


def test_without_a_connected_account_the_answer_is_the_seed_404(client, mallory, x_app):
    client.force_login(mallory)
    response = client.get("/socials/test-connection/twitter")
    assert response.status_code == 404
    assert response.json() == {"success": False, "message": "Twitter account not connected for this user",
                               "details": {}}


def test_another_clients_account_is_not_found(client, alice, bob_account, x_app):
    client.force_login(alice)
    assert client.get("/socials/test-connection/twitter", {"account": bob_account.pk}).status_code == 404


def test_the_endpoint_needs_a_login(client, db):
    assert client.get("/socials/test-connection/twitter").status_code in (401, 403)


@responses.activate
def test_the_page_button_tells_the_result(client, alice, alice_account, x_app):
    responses.get(ME_URL, json=me(), headers=LIMITS)
    client.force_login(alice)
    page = client.post(f"/socials/accounts/{alice_account.pk}/test/", follow=True).content.decode()
    assert "The X connection of @alice_x works." in page and "Rate limit: 74 of 75 requests left" in page


@responses.activate
def test_the_admin_action_tests_each_selected_account(client, sam, alice_account, x_app):
    responses.get(ME_URL, json=me(), headers=LIMITS)
    client.force_login(sam)
    response = client.post("/admin/socials/account/", {"action": "test_connection",
                                                       "_selected_action": [alice_account.pk]}, follow=True)
    assert "@alice_x: The X connection of @alice_x works." in response.content.decode()


def test_a_get_does_not_run_the_page_test(client, alice, alice_account):
    client.force_login(alice)
    assert client.get(f"/socials/accounts/{alice_account.pk}/test/").status_code == 405


@responses.activate
def test_a_reseller_cannot_spend_a_clients_token_on_a_test(client, rita, task, alice_account, x_app):
    client.force_login(rita)
    assert client.post(f"/socials/accounts/{alice_account.pk}/test/").status_code == 404
    assert client.get("/socials/test-connection/twitter", {"account": alice_account.pk}).status_code == 404
    assert len(responses.calls) == 0
