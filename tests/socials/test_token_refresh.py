import datetime as dt
import threading
import time

import pytest
import requests
import responses
from django.db import close_old_connections
from django.utils import timezone

from platforms.x import tokens
from platforms.x.client import XError
from socials.models import Account
from tests.conftest import make_account

TOKEN_URL = "https://api.x.test/2/oauth2/token"


@pytest.fixture(autouse=True)
def x_urls(settings):
    settings.X_API_URL = "https://api.x.test"
    settings.TWITTER_CLIENT_ID, settings.TWITTER_CLIENT_SECRET = "cid", "csecret"


def expired_account(user, **fields):
    return make_account(user, "alice_x", expires_at=timezone.now() - dt.timedelta(minutes=1), **fields)


def new_pair(n=1):
    return {"token_type": "bearer", "expires_in": 7200, "access_token": f"new-access-{n}",
            "refresh_token": f"new-refresh-{n}", "scope": "tweet.write offline.access"}


@responses.activate
def test_an_expired_token_is_refreshed_and_the_new_pair_saved(alice):
    account = expired_account(alice)
    responses.post(TOKEN_URL, json=new_pair())

    client = tokens.client_for(account)

    stored = Account.objects.get(pk=account.pk)
    assert (stored.oauth2_access_token, stored.oauth2_refresh_token) == ("new-access-1", "new-refresh-1")
    assert stored.expires_at > timezone.now() + dt.timedelta(hours=1)
    assert client.credentials.access_token == "new-access-1"
    body = responses.calls[0].request.body
    assert "grant_type=refresh_token" in body and "refresh_token=refresh-alice_x" in body


@responses.activate
def test_a_valid_token_is_not_refreshed(alice_account):
    tokens.client_for(alice_account)
    assert len(responses.calls) == 0


@responses.activate
def test_a_refused_refresh_token_marks_the_account_reconnect_needed(alice):
    account = expired_account(alice)
    responses.post(TOKEN_URL, status=400, json={"error": "invalid_request",
                                                "error_description": "Value passed for the token was invalid."})
    with pytest.raises(tokens.AccountUnusable) as exc:
        tokens.client_for(account)
    assert "Reconnect your X account" in exc.value.user_message
    assert Account.objects.get(pk=account.pk).state == Account.State.RECONNECT_NEEDED


@pytest.mark.parametrize("answer", [{"status": 503, "json": {"title": "Service Unavailable"}},
                                    {"body": requests.ConnectionError("reset")}])
@responses.activate
def test_a_5xx_or_network_error_never_disconnects(alice, answer):
    account = expired_account(alice)
    responses.post(TOKEN_URL, **answer)
    with pytest.raises(XError) as exc:
        tokens.client_for(account)
    assert not exc.value.permanent
    stored = Account.objects.get(pk=account.pk)
    assert stored.state == Account.State.CONNECTED
    assert stored.oauth2_refresh_token == "refresh-alice_x"


@responses.activate
def test_a_refusal_after_another_process_stored_new_tokens_is_not_a_disconnect(alice):
    account = expired_account(alice)

    def reconnect_meanwhile(request):
        Account.objects.filter(pk=account.pk).update(oauth2_refresh_token="fresh")
        return 400, {}, '{"error": "invalid_request"}'

    responses.add_callback(responses.POST, TOKEN_URL, callback=reconnect_meanwhile)
    # The update above runs inside the refresh's transaction, standing in for a reconnect that
    # committed just before; the account must stay connected.
    result = tokens.refresh(account)
    assert result.state == Account.State.CONNECTED


@responses.activate
def test_a_401_refreshes_once_and_retries_the_call(alice_account):
    responses.get("https://api.x.test/2/users/me", status=401, json={"title": "Unauthorized", "status": 401})
    responses.get("https://api.x.test/2/users/me", json={"data": {"id": "1", "username": "alice_x"}})
    responses.post(TOKEN_URL, json=new_pair())

    me = tokens.call_x(alice_account, lambda client: client.get_me())

    assert me["username"] == "alice_x"
    assert Account.objects.get(pk=alice_account.pk).oauth2_access_token == "new-access-1"


@responses.activate
def test_a_fresh_token_refused_once_is_refreshed_again_before_giving_up(alice_account):
    unauthorized = {"title": "Unauthorized", "status": 401}
    responses.get("https://api.x.test/2/users/me", status=401, json=unauthorized)
    responses.get("https://api.x.test/2/users/me", status=401, json=unauthorized)  # the fresh one expired too
    responses.get("https://api.x.test/2/users/me", json={"data": {"id": "1", "username": "alice_x"}})
    responses.post(TOKEN_URL, json=new_pair(1))
    responses.post(TOKEN_URL, json=new_pair(2))

    assert tokens.call_x(alice_account, lambda client: client.get_me())["username"] == "alice_x"
    stored = Account.objects.get(pk=alice_account.pk)
    assert (stored.state, stored.oauth2_access_token) == (Account.State.CONNECTED, "new-access-2")


@responses.activate
def test_a_401_that_survives_two_refreshes_marks_reconnect_needed(alice_account):
    responses.get("https://api.x.test/2/users/me", status=401, json={"title": "Unauthorized", "status": 401})
    responses.post(TOKEN_URL, json=new_pair(1))
    responses.post(TOKEN_URL, json=new_pair(2))

    with pytest.raises(XError):
        tokens.call_x(alice_account, lambda client: client.get_me())
    assert Account.objects.get(pk=alice_account.pk).state == Account.State.RECONNECT_NEEDED
    assert len([c for c in responses.calls if c.request.url == TOKEN_URL]) == 2


@responses.activate
def test_a_401_with_oauth1_marks_reconnect_needed(alice):
    account = make_account(alice, "alice_o1", token_type="oauth1", oauth1_access_token="t",
                           oauth1_access_token_secret="s")
    responses.get("https://api.x.test/2/users/me", status=401, json={"title": "Unauthorized", "status": 401})
    with pytest.raises(XError):
        tokens.call_x(account, lambda client: client.get_me())
    assert Account.objects.get(pk=account.pk).state == Account.State.RECONNECT_NEEDED


def test_a_bearer_only_account_gets_app_credentials(alice):
    account = make_account(alice, "reader", token_type="bearer", access_token="app-token")
    assert type(tokens.credentials_for(account)).__name__ == "AppBearerCredentials"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refreshes_of_one_account_refresh_once(alice):
    account = expired_account(alice)
    calls = []

    def slow_token_endpoint(request):
        calls.append(request)
        time.sleep(0.3)  # both workers are inside refresh() at once
        return 200, {}, __import__("json").dumps(new_pair(len(calls)))

    results, failures = [], []

    def worker():
        try:
            results.append(tokens.refresh(Account.objects.get(pk=account.pk)).oauth2_access_token)
        except Exception as exc:  # noqa: BLE001 (reported below)
            failures.append(exc)
        finally:
            close_old_connections()

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, TOKEN_URL, callback=slow_token_endpoint)
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    assert failures == []
    assert len(calls) == 1
    assert results == ["new-access-1", "new-access-1"]
