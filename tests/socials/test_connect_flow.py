"""Connecting X through allauth, with X answered by `responses` at https://api.x.test."""

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.db import connection

from posts.models import PostChannel
from socials.models import Account
from tests.conftest import X_APP_API as API, X_APP_AUTHORIZE as AUTHORIZE, make_account

TOKEN_URL = f"{API}/2/oauth2/token"
ME_URL = f"{API}/2/users/me"
SCOPES = {"tweet.read", "tweet.write", "users.read", "offline.access", "media.write"}


def start(client, provider="twitter_oauth2", follow=False):
    return client.post(f"/accounts/{provider}/login/", {"process": "connect"}, follow=follow)


def auth_header(call) -> str:
    value = call.request.headers["Authorization"]
    return value.decode() if isinstance(value, bytes) else value


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def x_answers(access="new-access", refresh="new-refresh", user_id="4242", username="alice_x"):
    responses.post(TOKEN_URL, json={"token_type": "bearer", "expires_in": 7200, "access_token": access,
                                    "refresh_token": refresh, "scope": " ".join(sorted(SCOPES))})
    responses.get(ME_URL, json={"data": {"id": user_id, "name": "Alice", "username": username}})


def connect(client, **answers):
    """The whole OAuth 2.0 round trip; returns the callback's response."""
    state = query(start(client)["Location"])["state"]
    x_answers(**answers)
    return client.get("/accounts/twitter_oauth2/login/callback/", {"code": "the-code", "state": state})


@responses.activate
def test_connect_redirects_to_the_configured_authorize_url_with_pkce_and_the_posting_scopes(client, alice, x_app):
    client.force_login(alice)
    response = start(client)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(AUTHORIZE + "?")
    params = query(location)
    assert params["response_type"] == "code" and params["client_id"] == "cid"
    assert set(params["scope"].split()) == SCOPES
    assert params["code_challenge_method"] == "S256" and params["code_challenge"]
    assert params["redirect_uri"].endswith("/accounts/twitter_oauth2/login/callback/")
    assert params["state"]
    assert not responses.calls  # nothing sent to X yet


@responses.activate
def test_callback_exchanges_the_code_with_the_pkce_verifier_and_saves_the_account(client, alice, x_app):
    client.force_login(alice)
    params = query(start(client)["Location"])
    x_answers()

    response = client.get("/accounts/twitter_oauth2/login/callback/", {"code": "the-code", "state": params["state"]})

    assert response.status_code == 302 and response["Location"] == "/socials/accounts/"
    token_call = responses.calls[0].request
    assert token_call.url == TOKEN_URL
    body = query("?" + token_call.body)
    assert body["grant_type"] == "authorization_code" and body["code"] == "the-code"
    challenge = base64.urlsafe_b64encode(hashlib.sha256(body["code_verifier"].encode()).digest()).rstrip(b"=")
    assert challenge.decode() == params["code_challenge"]
    assert token_call.headers["Authorization"] == "Basic " + base64.b64encode(b"cid:csecret").decode()
    assert responses.calls[1].request.headers["Authorization"] == "Bearer new-access"

    account = Account.objects.get(user=alice)
    assert (account.provider_account_id, account.username, account.name) == ("4242", "alice_x", "Alice")
    assert account.token_type == Account.TokenType.OAUTH2_USER and account.state == Account.State.CONNECTED
    assert (account.oauth2_access_token, account.oauth2_refresh_token) == ("new-access", "new-refresh")
    assert account.expires_at is not None and "tweet.write" in account.scope
    with connection.cursor() as cursor:
        cursor.execute("SELECT oauth2_access_token, oauth2_refresh_token FROM socials_account")
        stored = " ".join(cursor.fetchone())
    assert "new-access" not in stored and "new-refresh" not in stored
    # One home for tokens: allauth keeps neither a social account nor a token.
    assert not SocialAccount.objects.exists() and not SocialToken.objects.exists()
    page = client.get("/socials/accounts/").content.decode()
    assert "Connected X account @alice_x." in page and "Working" in page
    assert client.get("/").wsgi_request.user == alice  # still alice, nobody logged in through X


@responses.activate
def test_a_state_that_does_not_match_is_refused(client, alice, x_app):
    client.force_login(alice)
    start(client)
    x_answers()
    response = client.get("/accounts/twitter_oauth2/login/callback/", {"code": "the-code", "state": "forged"})
    assert response.status_code == 302 and response["Location"] == "/socials/accounts/"
    assert not responses.calls and not Account.objects.exists()
    assert "Connecting X did not work" in client.get("/socials/accounts/").content.decode()


@responses.activate
def test_a_state_from_another_session_is_refused(client, alice, bob, x_app):
    from django.test import Client

    client.force_login(alice)
    state = query(start(client)["Location"])["state"]
    other = Client()
    other.force_login(bob)
    x_answers()
    other.get("/accounts/twitter_oauth2/login/callback/", {"code": "the-code", "state": state})
    assert not responses.calls and not Account.objects.exists()


def test_a_get_to_the_login_url_does_not_start_a_flow(client, alice, x_app):
    client.force_login(alice)
    response = client.get("/accounts/twitter_oauth2/login/", {"process": "connect"})
    assert response.status_code == 200  # a page with a button that POSTs, not a redirect to X
    assert "<form" in response.content.decode() and 'method="post"' in response.content.decode()
    assert "socialaccount_states" not in client.session
    start(client)  # whereas a POST does
    assert client.session["socialaccount_states"]


def test_x_is_not_a_way_to_log_in(client, alice, x_app):
    response = client.post("/accounts/twitter_oauth2/login/", {"process": "login"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(alice)
    response = client.post("/accounts/twitter_oauth2/login/", {"process": "login"}, follow=True)
    assert "you cannot sign in with X" in response.content.decode()


def test_the_login_page_offers_no_sign_in_with_x(client, db, x_app):
    page = client.get("/accounts/login/").content.decode()
    assert "/accounts/twitter" not in page


def test_only_clients_connect_accounts(client, rita, x_app):
    client.force_login(rita)
    response = start(client, follow=True)
    assert "Only clients connect their own X accounts." in response.content.decode()


@responses.activate
def test_a_cancelled_approval_changes_nothing(client, alice, x_app):
    client.force_login(alice)
    state = query(start(client)["Location"])["state"]
    response = client.get("/accounts/twitter_oauth2/login/callback/", {"error": "access_denied", "state": state},
                          follow=True)
    assert "Connecting X was cancelled" in response.content.decode()
    assert not Account.objects.exists()


@responses.activate
def test_a_client_connects_several_accounts(client, alice, x_app):
    client.force_login(alice)
    connect(client, user_id="1", username="alice_one")
    connect(client, user_id="2", username="alice_two", access="a2", refresh="r2")
    assert sorted(Account.objects.filter(user=alice).values_list("username", flat=True)) == ["alice_one", "alice_two"]


@responses.activate
def test_reconnecting_replaces_the_tokens_and_the_held_posts_go_on(client, alice, x_app, make_post, alice_account):
    from socials import services

    Account.objects.filter(pk=alice_account.pk).update(provider_account_id="4242")
    post = make_post()
    services.disconnect_account(actor=alice, account=alice_account)
    assert post.channels.get().state == PostChannel.State.HELD
    responses.post(f"{API}/2/oauth2/revoke", json={"revoked": True})
    client.force_login(alice)

    connect(client, access="second-access", refresh="second-refresh")

    account = Account.objects.get(pk=alice_account.pk)
    assert (account.oauth2_access_token, account.oauth2_refresh_token) == ("second-access", "second-refresh")
    assert account.state == Account.State.CONNECTED
    channel = post.channels.get()
    assert (channel.state, channel.last_error) == (PostChannel.State.QUEUED, "")
    assert "Reconnected X account @alice_x." in client.get("/socials/accounts/").content.decode()


@responses.activate
def test_an_account_whose_chain_broke_reconnects_in_one_click(client, alice, x_app):
    account = make_account(alice, "alice_x", provider_account_id="4242", state=Account.State.RECONNECT_NEEDED)
    client.force_login(alice)
    page = client.get("/socials/accounts/").content.decode()
    assert "Reconnect needed" in page and "Reconnect now" in page
    connect(client)
    account.refresh_from_db()
    assert account.state == Account.State.CONNECTED and account.oauth2_access_token == "new-access"


@responses.activate
def test_oauth1_connects_with_a_request_token_and_reads_the_profile_from_v2(client, alice, x_app):
    responses.post(f"{API}/oauth/request_token",
                   body="oauth_token=req-token&oauth_token_secret=req-secret&oauth_callback_confirmed=true")
    client.force_login(alice)
    response = start(client, provider="twitter")
    assert response["Location"].startswith(f"{API}/oauth/authorize?")
    assert query(response["Location"])["oauth_token"] == "req-token"
    assert 'oauth_consumer_key="ckey"' in auth_header(responses.calls[0])

    responses.post(f"{API}/oauth/access_token",
                   body="oauth_token=user-token&oauth_token_secret=user-secret&user_id=77&screen_name=alice_x")
    responses.get(ME_URL, json={"data": {"id": "77", "name": "Alice", "username": "alice_x"}})
    response = client.get("/accounts/twitter/login/callback/",
                          {"oauth_token": "req-token", "oauth_verifier": "the-verifier"})

    assert response["Location"] == "/socials/accounts/"
    assert "oauth_verifier=the-verifier" in responses.calls[1].request.url
    assert 'oauth_token="user-token"' in auth_header(responses.calls[2])
    account = Account.objects.get(user=alice)
    assert (account.token_type, account.provider_account_id, account.username) == ("oauth1", "77", "alice_x")
    assert (account.oauth1_access_token, account.oauth1_access_token_secret) == ("user-token", "user-secret")


def test_without_an_x_app_the_page_says_connecting_is_not_set_up(client, alice, settings):
    providers = {name: {**conf, "APPS": []} for name, conf in settings.SOCIALACCOUNT_PROVIDERS.items()}
    settings.SOCIALACCOUNT_PROVIDERS = providers
    client.force_login(alice)
    page = client.get("/socials/accounts/").content.decode()
    assert "Connect X account" not in page and "not set up" in page


@pytest.mark.parametrize("provider", ["twitter_oauth2", "twitter"])
def test_the_accounts_page_offers_both_ways_to_connect(client, alice, x_app, provider):
    client.force_login(alice)
    page = client.get("/socials/accounts/").content.decode()
    assert f'action="/accounts/{provider}/login/"' in page and 'name="process" value="connect"' in page
