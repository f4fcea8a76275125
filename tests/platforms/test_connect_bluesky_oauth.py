"""A client connects Bluesky with "Sign in with Bluesky" (atproto OAuth): SocialHub finds the
account's server from the handle, pushes the request (PAR, PKCE, DPoP), the client approves it on
Bluesky's page, and SocialHub keeps DPoP-bound tokens with the account's own DPoP key, both
encrypted. It refreshes them before they expire; a refused refresh asks the client to reconnect.
App passwords stay as the fallback."""

from django.db import connection
from django.urls import reverse

from platforms.bluesky import dpop
from socials import services
from socials.models import Account
from tests.platforms.bluesky_oauth_flow import (
    CONNECT, METADATA, authorize_link, consent, publish_client_metadata, sign_in_with_bluesky,
)
from tests.platforms.conftest import BLUESKY_HANDLE, BLUESKY_PASSWORD
from tests.platforms.helpers import control


def _user(sandbox):
    return control(sandbox, "bluesky/users", handle=BLUESKY_HANDLE, app_password=BLUESKY_PASSWORD)


def test_the_connect_page_offers_sign_in_with_bluesky_first_and_the_app_password_as_fallback(client, sandbox, alice):
    client.force_login(alice)
    page = client.get(CONNECT).content.decode()
    assert 'name="oauth-handle"' in page and 'name="app_password"' in page
    assert page.index("Sign in with Bluesky") < page.index("Or use an app password")


def test_the_client_metadata_names_socialhub_a_confidential_client_with_its_public_key(client, sandbox, settings):
    document = client.get(METADATA).json()
    assert document["client_id"] == settings.SITE_URL + METADATA
    assert document["redirect_uris"] == [settings.SITE_URL + reverse("platforms:bluesky-callback")]
    assert document["scope"] == "atproto transition:generic" and document["dpop_bound_access_tokens"] is True
    assert document["token_endpoint_auth_method"] == "private_key_jwt"
    [key] = document["jwks"]["keys"]
    assert key["kty"] == "EC" and key["kid"] and "d" not in key  # the public half only


def test_without_a_client_key_only_app_passwords_are_offered(client, sandbox, alice, settings):
    settings.BLUESKY_OAUTH_PRIVATE_KEY = ""
    client.force_login(alice)
    page = client.get(CONNECT).content.decode()
    assert "Sign in with Bluesky" not in page and 'name="app_password"' in page
    answer = client.get(METADATA)
    assert answer.status_code == 404 and answer.json()["success"] is False


def test_a_client_signs_in_with_bluesky_and_gets_dpop_bound_tokens_kept_encrypted(client, sandbox, alice):
    _user(sandbox)
    client.force_login(alice)

    page = sign_in_with_bluesky(client, sandbox, "@Alice.bsky.test")

    account = Account.objects.get(user=alice, provider="bluesky")
    assert "Connected Bluesky account @alice.bsky.test" in page.content.decode()
    assert account.token_type == Account.TokenType.OAUTH2_USER
    assert account.provider_account_id.startswith("did:plc:") and account.server_url == sandbox.url
    assert "atproto" in account.scope.split() and account.expires_at is not None
    key = dpop.load_key(account.oauth2_client_secret)  # the account's own DPoP key
    assert sandbox.state.sessions[account.oauth2_access_token]["jkt"] == key.thumbprint()
    with connection.cursor() as cursor:
        cursor.execute("SELECT oauth2_client_secret, oauth2_refresh_token FROM socials_account WHERE id = %s", [account.pk])
        stored = " ".join(cursor.fetchone())
    assert key.as_dict(private=True)["d"] not in stored and account.oauth2_refresh_token not in stored


def test_an_unknown_handle_is_said_next_to_the_field_and_nothing_is_pushed(client, sandbox, alice):
    client.force_login(alice)
    publish_client_metadata(client, sandbox)
    page = client.post(CONNECT, {"oauth-handle": "nobody.bsky.test"})
    assert page.context["oauth_form"].errors["handle"] == [
        "No Bluesky account has the handle @nobody.bsky.test: check its spelling (for example you.bsky.social)."]
    assert not sandbox.state.par_requests


def test_a_denied_consent_connects_nothing(client, sandbox, alice):
    _user(sandbox)
    client.force_login(alice)
    back = consent(authorize_link(client, sandbox, BLUESKY_HANDLE), BLUESKY_HANDLE, decision="deny")
    page = client.get(back, follow=True)
    assert "You did not approve SocialHub on Bluesky" in page.content.decode()
    assert not Account.objects.filter(provider="bluesky").exists()


def test_a_callback_not_started_here_or_used_twice_connects_nothing(client, sandbox, alice):
    _user(sandbox)
    client.force_login(alice)
    back = consent(authorize_link(client, sandbox, BLUESKY_HANDLE), BLUESKY_HANDLE)
    forged = client.get(back.replace("state=", "state=x"), follow=True)
    assert "not started here" in forged.content.decode()
    again = client.get(back, follow=True)  # the forgery spent the sign-in kept in the session
    assert "not started here, or has already been used" in again.content.decode()
    assert not Account.objects.filter(provider="bluesky").exists()


def test_an_answer_naming_another_issuer_is_refused(client, sandbox, alice):
    _user(sandbox)
    client.force_login(alice)
    back = consent(authorize_link(client, sandbox, BLUESKY_HANDLE), BLUESKY_HANDLE)
    page = client.get(back.replace("iss=", "iss=https%3A%2F%2Fevil.example&was="), follow=True)
    assert "another sign-in server" in page.content.decode()
    assert not Account.objects.filter(provider="bluesky").exists()


def test_the_token_request_fails_without_the_pkce_verifier_of_the_pushed_request(client, sandbox, alice):
    _user(sandbox)
    client.force_login(alice)
    back = consent(authorize_link(client, sandbox, BLUESKY_HANDLE), BLUESKY_HANDLE)
    session = client.session
    session["bluesky_connect"]["verifier"] = "a-verifier-that-was-never-pushed-0123456789abcdef"
    session.save()
    page = client.get(back, follow=True)
    assert "Bluesky did not give SocialHub a session: Invalid code_verifier" in page.content.decode()
    assert not Account.objects.filter(provider="bluesky").exists()


def test_a_client_assertion_not_signed_with_the_published_key_is_refused(client, sandbox, alice, settings):
    from joserfc.jwk import ECKey

    _user(sandbox)
    client.force_login(alice)
    publish_client_metadata(client, sandbox)  # the server has the old key's document
    settings.BLUESKY_OAUTH_PRIVATE_KEY = ECKey.generate_key("P-256", private=True).as_pem(private=True).decode()
    page = client.post(CONNECT, {"oauth-handle": BLUESKY_HANDLE})
    assert "Bluesky refused the sign-in request: Client assertion signature is invalid" in page.content.decode()


def test_reconnecting_with_bluesky_oauth_replaces_the_app_password_session(client, sandbox, alice, bluesky_account):
    client.force_login(alice)
    page = client.get(f"{CONNECT}?account={bluesky_account.pk}")
    assert f'value="{BLUESKY_HANDLE}"'.encode() in page.content
    sign_in_with_bluesky(client, sandbox, BLUESKY_HANDLE, account=bluesky_account.pk)
    account = Account.objects.get(provider="bluesky")
    assert account.pk == bluesky_account.pk and account.token_type == Account.TokenType.OAUTH2_USER


def test_an_expired_access_token_is_refreshed_first_and_the_refresh_token_rotates(sandbox, bluesky_oauth_account):
    from django.utils import timezone

    old_refresh = bluesky_oauth_account.oauth2_refresh_token
    Account.objects.filter(pk=bluesky_oauth_account.pk).update(expires_at=timezone.now())
    account = Account.objects.get(pk=bluesky_oauth_account.pk)

    report = services.test_connection(actor=account.user, account=account)

    stored = Account.objects.get(pk=account.pk)
    assert report.works and sandbox.state.oauth_refreshes == 1
    assert stored.oauth2_refresh_token != old_refresh and old_refresh not in sandbox.state.oauth_refresh
    assert stored.expires_at > timezone.now() and stored.last_refreshed_at is not None


def test_a_refused_refresh_means_reconnect_needed(sandbox, bluesky_oauth_account):
    from django.utils import timezone

    sandbox.state.oauth_refresh.clear()  # revoked at Bluesky
    Account.objects.filter(pk=bluesky_oauth_account.pk).update(expires_at=timezone.now())
    account = Account.objects.get(pk=bluesky_oauth_account.pk)

    report = services.test_connection(actor=account.user, account=account)

    account.refresh_from_db()
    assert not report.works and report.error_kind == "auth"
    assert account.state == Account.State.RECONNECT_NEEDED
    assert "connect the account again" in account.state_message


def test_a_new_dpop_nonce_is_taken_up_and_the_call_sent_again(sandbox, bluesky_oauth_account):
    control(sandbox, "bluesky/config", rotate_nonce=True)
    refusals = sandbox.state.nonce_refusals

    report = services.test_connection(actor=bluesky_oauth_account.user, account=bluesky_oauth_account)

    assert report.works and sandbox.state.nonce_refusals == refusals + 1


def test_disconnect_revokes_the_oauth_session_at_bluesky(sandbox, alice, bluesky_oauth_account):
    refresh, access = bluesky_oauth_account.oauth2_refresh_token, bluesky_oauth_account.oauth2_access_token
    result = services.disconnect_account(actor=alice, account=bluesky_oauth_account)
    assert result.revoked is True
    assert refresh not in sandbox.state.oauth_refresh and access not in sandbox.state.sessions


def test_an_oauth_account_can_be_reconnected_with_an_app_password(client, sandbox, alice, bluesky_oauth_account):
    client.post(CONNECT, {"handle": BLUESKY_HANDLE, "app_password": BLUESKY_PASSWORD, "account": bluesky_oauth_account.pk})
    account = Account.objects.get(provider="bluesky")
    assert account.pk == bluesky_oauth_account.pk and account.token_type == Account.TokenType.APP_PASSWORD
    assert account.oauth2_client_secret == ""  # the OAuth session's DPoP key is gone with its tokens
    assert services.test_connection(actor=alice, account=account).works
