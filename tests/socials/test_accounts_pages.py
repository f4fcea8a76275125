"""The X accounts pages: states, actions for the owner, read-only for the reseller, profile and tweets."""

import responses

from socials.models import Account
from tests.conftest import X_APP_API as API, make_account


def test_the_client_sees_each_state_in_words(client, alice):
    make_account(alice, "working_x")
    make_account(alice, "broken_x", state=Account.State.RECONNECT_NEEDED, state_message="X no longer accepts it")
    make_account(alice, "reader_x", token_type="bearer", oauth2_access_token="", oauth2_refresh_token="")
    client.force_login(alice)
    page = client.get("/socials/accounts/").content.decode()
    for text in ("Working", "Reconnect needed", "X no longer accepts it", "Read only", "Test connection",
                 "Disconnect"):
        assert text in page, text


def test_the_reseller_sees_their_clients_states_without_buttons(client, rita, task, alice, bob_account):
    make_account(alice, "broken_x", state=Account.State.RECONNECT_NEEDED)
    client.force_login(rita)
    page = client.get("/socials/accounts/").content.decode()
    assert "@broken_x" in page and "Reconnect needed" in page and "alice" in page
    assert "@bob_x" not in page
    assert "Disconnect" not in page and "Connect X account" not in page


def test_other_peoples_accounts_are_not_found(client, alice, bob_account):
    client.force_login(alice)
    assert client.get(f"/socials/accounts/{bob_account.pk}/").status_code == 404
    assert client.post(f"/socials/accounts/{bob_account.pk}/disconnect/").status_code == 404
    assert Account.objects.get(pk=bob_account.pk).state == Account.State.CONNECTED


@responses.activate
def test_the_account_page_shows_the_profile_and_recent_tweets(client, alice, alice_account, x_app):
    user_id = alice_account.provider_account_id
    responses.get(f"{API}/2/users/{user_id}", json={"data": {
        "id": user_id, "username": "alice_x", "name": "Alice", "description": "Spring things",
        "public_metrics": {"followers_count": 12, "following_count": 3, "tweet_count": 40}}})
    responses.get(f"{API}/2/users/{user_id}/tweets", json={"data": [
        {"id": "1", "text": "Hello spring", "public_metrics": {"impression_count": 99, "like_count": 5,
                                                               "reply_count": 1, "retweet_count": 2, "quote_count": 0}}]})
    client.force_login(alice)
    page = client.get(f"/socials/accounts/{alice_account.pk}/").content.decode()
    assert "Spring things" in page and "12 followers" in page
    assert "Hello spring" in page and "99 impressions" in page and "5 likes" in page
    assert all(c.request.headers["Authorization"] == "Bearer access-alice_x" for c in responses.calls)


@responses.activate
def test_the_account_page_says_when_x_cannot_be_read(client, alice, alice_account, x_app):
    responses.get(f"{API}/2/users/{alice_account.provider_account_id}", status=503, json={"title": "Unavailable"})
    client.force_login(alice)
    page = client.get(f"/socials/accounts/{alice_account.pk}/").content.decode()
    assert "Could not read this account from X: X is having problems" in page


@responses.activate
def test_reading_with_the_app_bearer_token(alice_account, x_app):
    from platforms.x import accounts

    responses.get(f"{API}/2/users/{alice_account.provider_account_id}/tweets", json={"data": [{"id": "1", "text": "t"}]})
    assert accounts.recent_tweets(alice_account, with_app=True) == [{"id": "1", "text": "t"}]
    assert responses.calls[0].request.headers["Authorization"] == "Bearer app-bearer"


@responses.activate
def test_an_account_that_needs_reconnecting_is_still_read_with_the_app_token(client, alice, x_app):
    account = make_account(alice, "alice_x", provider_account_id="42", state=Account.State.RECONNECT_NEEDED)
    responses.get(f"{API}/2/users/42", json={"data": {"id": "42", "username": "alice_x", "description": "Still here"}})
    responses.get(f"{API}/2/users/42/tweets", json={"data": []})
    client.force_login(alice)
    page = client.get(f"/socials/accounts/{account.pk}/").content.decode()
    assert "Still here" in page and "Reconnect needed" in page
    assert all(c.request.headers["Authorization"] == "Bearer app-bearer" for c in responses.calls)


@responses.activate
def test_disconnect_from_the_page(client, alice, alice_account, make_post, x_app):
    responses.post(f"{API}/2/oauth2/revoke", json={"revoked": True})
    make_post()
    client.force_login(alice)
    page = client.post(f"/socials/accounts/{alice_account.pk}/disconnect/", follow=True).content.decode()
    assert "Disconnected X account @alice_x" in page and "1 waiting post(s) are held" in page
    assert "Disconnected" in page and "Reconnect" in page


def test_a_client_with_both_connect_buttons_is_told_which_to_use(client, alice, x_app, settings):
    client.force_login(alice)
    page = client.get("/socials/accounts/").content.decode()

    assert 'aria-describedby="connect-hint-twitter_oauth2">Connect X account</button>' in page
    assert "Recommended: X&#x27;s current way to connect (OAuth 2.0)" in page
    assert 'class="secondary" aria-describedby="connect-hint-twitter">Connect with OAuth 1.0a</button>' in page
    assert "Only if your agency asks for it" in page


def test_a_single_connect_button_needs_no_hint(client, alice, x_app, settings):
    providers = {name: dict(conf) for name, conf in settings.SOCIALACCOUNT_PROVIDERS.items()}
    providers["twitter"]["APPS"] = []
    settings.SOCIALACCOUNT_PROVIDERS = providers
    client.force_login(alice)
    page = client.get("/socials/accounts/").content.decode()

    assert "Connect X account" in page and "OAuth 1.0a" not in page and "Recommended" not in page
