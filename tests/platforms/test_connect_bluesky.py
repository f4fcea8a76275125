"""A client connects a Bluesky account with an app password: SocialHub signs in once, keeps the
session (not the password) encrypted, writes to the PDS the sign-in names, refreshes the session
before it expires (once across workers: Bluesky rotates the refresh token), and ends it on
disconnect."""

from django.urls import reverse

from platforms.bluesky import client as bluesky_client
from platforms.bluesky import identity
from socials import services
from socials.models import Account
from tests.platforms.conftest import BLUESKY_HANDLE, BLUESKY_PASSWORD
from tests.platforms.helpers import control

CONNECT = reverse("platforms:bluesky-connect")


def test_a_client_connects_bluesky_with_an_app_password(client, sandbox, alice):
    control(sandbox, "bluesky/users", handle=BLUESKY_HANDLE, app_password=BLUESKY_PASSWORD)
    client.force_login(alice)

    page = client.post(CONNECT, {"handle": "@Alice.bsky.test", "app_password": BLUESKY_PASSWORD}, follow=True)

    account = Account.objects.get(user=alice, provider="bluesky")
    assert b"Connected Bluesky account @alice.bsky.test" in page.content
    assert account.provider_account_id.startswith("did:plc:")
    assert account.server_url == sandbox.url  # the PDS named in the session's DID document
    assert account.token_type == Account.TokenType.APP_PASSWORD
    assert account.oauth2_refresh_token and BLUESKY_PASSWORD not in str(Account.objects.values().get(pk=account.pk))


def test_a_wrong_app_password_is_said_on_the_form_and_connects_nothing(client, sandbox, alice):
    control(sandbox, "bluesky/users", handle=BLUESKY_HANDLE, app_password=BLUESKY_PASSWORD)
    client.force_login(alice)
    page = client.post(CONNECT, {"handle": BLUESKY_HANDLE, "app_password": "wrong"})
    assert page.status_code == 200
    assert "Bluesky did not accept that handle and app password." in page.content.decode()
    assert not Account.objects.filter(provider="bluesky").exists()


def test_a_handle_without_a_dot_is_refused_next_to_the_field(client, alice):
    client.force_login(alice)
    page = client.post(CONNECT, {"handle": "alice", "app_password": "x"})
    assert "A Bluesky handle is a domain name" in page.content.decode()


def test_the_session_is_refreshed_before_it_expires_and_the_spent_refresh_token_is_gone(sandbox, bluesky_account):
    control(sandbox, "bluesky/config", access_ttl=60)  # within the 15-minute margin: refresh first
    session = bluesky_client.sign_in(identity.resolve(BLUESKY_HANDLE), BLUESKY_PASSWORD)
    Account.objects.filter(pk=bluesky_account.pk).update(
        oauth2_access_token=session["access_jwt"], oauth2_refresh_token=session["refresh_jwt"])
    bluesky_account.refresh_from_db()
    old_refresh = bluesky_account.oauth2_refresh_token

    report = services.test_connection(actor=bluesky_account.user, account=bluesky_account)

    stored = Account.objects.get(pk=bluesky_account.pk)
    assert report.works
    assert stored.oauth2_refresh_token != old_refresh and old_refresh not in sandbox.state.refresh_tokens
    assert stored.last_refreshed_at is not None


def test_a_refresh_token_bluesky_no_longer_knows_means_reconnect_needed(sandbox, bluesky_account):
    sandbox.state.refresh_tokens.clear()
    Account.objects.filter(pk=bluesky_account.pk).update(oauth2_access_token="not-a-jwt")
    bluesky_account.refresh_from_db()

    report = services.test_connection(actor=bluesky_account.user, account=bluesky_account)

    bluesky_account.refresh_from_db()
    assert not report.works and report.error_kind == "auth"
    assert bluesky_account.state == Account.State.RECONNECT_NEEDED
    assert "connect the account again" in bluesky_account.state_message


def test_disconnect_ends_the_session_at_bluesky(sandbox, alice, bluesky_account):
    refresh = bluesky_account.oauth2_refresh_token
    result = services.disconnect_account(actor=alice, account=bluesky_account)
    assert result.revoked is True and refresh not in sandbox.state.refresh_tokens


def test_reconnecting_keeps_one_account_and_releases_nothing_twice(client, sandbox, alice, bluesky_account):
    client.force_login(alice)
    page = client.get(f"{CONNECT}?account={bluesky_account.pk}")
    assert f'value="{BLUESKY_HANDLE}"'.encode() in page.content
    client.post(CONNECT, {"handle": BLUESKY_HANDLE, "app_password": BLUESKY_PASSWORD, "account": bluesky_account.pk})
    assert Account.objects.filter(provider="bluesky").count() == 1


def test_a_sign_in_answer_missing_the_account_s_id_is_a_form_error_not_a_500(client, sandbox, alice, monkeypatch):
    control(sandbox, "bluesky/users", handle=BLUESKY_HANDLE, app_password=BLUESKY_PASSWORD)
    real_sign_in = bluesky_client.sign_in
    monkeypatch.setattr(bluesky_client, "sign_in", lambda *a, **k: {**real_sign_in(*a, **k), "did": ""})
    client.force_login(alice)

    page = client.post(CONNECT, {"handle": BLUESKY_HANDLE, "app_password": BLUESKY_PASSWORD})

    assert page.status_code == 200
    assert "Connecting Bluesky failed: The account&#x27;s id on its network is required." in page.content.decode()
    assert not Account.objects.filter(provider="bluesky").exists()
