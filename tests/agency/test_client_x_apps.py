"""Each client's own X app: registered on a page, used to connect, then by refresh and posting."""

import base64
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.db import connection
from django.utils import timezone

from agency import x_apps
from agency.models import ClientXApp
from platforms.x import tokens
from socials.models import Account
from tests.conftest import X_APP_API as API

TOKEN_URL = f"{API}/2/oauth2/token"


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def alices_app(alice):
    return x_apps.save_app(actor=alice, client=alice, oauth2_client_id="alice-cid", oauth2_client_secret="alice-secret",
                           oauth1_consumer_key="alice-ckey", oauth1_consumer_secret="alice-csecret")


def test_the_page_shows_the_callback_urls_and_never_the_secrets(client, alice, alices_app):
    client.force_login(alice)
    page = client.get("/agency/x-app/").content.decode()
    assert "/accounts/twitter_oauth2/login/callback/" in page and "/accounts/twitter/login/callback/" in page
    assert "alice-cid" in page and "alice-secret" not in page and "alice-csecret" not in page
    with connection.cursor() as cursor:
        cursor.execute("SELECT oauth2_client_secret, oauth1_consumer_secret FROM agency_clientxapp")
        assert "alice-secret" not in " ".join(cursor.fetchone())


def test_a_reseller_registers_the_app_of_their_own_client_only(client, rita, alice, bob, task, bob_task):
    client.force_login(rita)
    answer = client.post(f"/agency/clients/{alice.pk}/x-app/", {"oauth2_client_id": "cid-2", "oauth2_client_secret": "s-2"})
    assert answer.status_code == 302
    assert ClientXApp.objects.get(client=alice).oauth2_client_secret == "s-2"
    assert client.get(f"/agency/clients/{bob.pk}/x-app/").status_code == 404


def test_an_id_without_its_secret_is_an_error_next_to_the_field(client, alice):
    client.force_login(alice)
    answer = client.post("/agency/x-app/", {"oauth2_client_id": "cid-only"})
    assert answer.status_code == 400
    assert "Give the client secret" in answer.content.decode()


def test_a_blank_secret_keeps_the_stored_one(alice, alices_app):
    x_apps.save_app(actor=alice, client=alice, oauth2_client_id="alice-cid-2")
    app = ClientXApp.objects.get(client=alice)
    assert (app.oauth2_client_id, app.oauth2_client_secret) == ("alice-cid-2", "alice-secret")
    assert not app.has_oauth1  # the OAuth 1.0a pair left blank is removed


@responses.activate
def test_connecting_uses_the_clients_app_and_the_account_keeps_it(client, alice, alices_app, x_app):  # noqa: F811
    client.force_login(alice)
    params = query(client.post("/accounts/twitter_oauth2/login/", {"process": "connect"})["Location"])
    assert params["client_id"] == "alice-cid"
    responses.post(TOKEN_URL, json={"token_type": "bearer", "expires_in": 7200, "access_token": "a1",
                                    "refresh_token": "r1", "scope": "tweet.read tweet.write"})
    responses.get(f"{API}/2/users/me", json={"data": {"id": "77", "name": "Alice", "username": "alice_x"}})
    client.get("/accounts/twitter_oauth2/login/callback/", {"code": "c", "state": params["state"]})
    assert responses.calls[0].request.headers["Authorization"] == "Basic " + base64.b64encode(b"alice-cid:alice-secret").decode()
    account = Account.objects.get(user=alice)
    assert (account.oauth2_client_id, account.oauth2_client_secret) == ("alice-cid", "alice-secret")

    # Refreshing signs with the same app.
    Account.objects.filter(pk=account.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    responses.post(TOKEN_URL, json={"token_type": "bearer", "expires_in": 7200, "access_token": "a2", "refresh_token": "r2"})
    tokens.refresh(Account.objects.get(pk=account.pk))
    assert responses.calls[-1].request.headers["Authorization"] == "Basic " + base64.b64encode(b"alice-cid:alice-secret").decode()


@responses.activate
def test_without_an_own_app_the_platform_app_is_used(client, bob, x_app):  # noqa: F811
    client.force_login(bob)
    params = query(client.post("/accounts/twitter_oauth2/login/", {"process": "connect"})["Location"])
    assert params["client_id"] == "cid"
