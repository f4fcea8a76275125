"""Two X apps in the sandbox: a client connects through their own app, and each app's tokens work
only with that app's credentials.

Needs the sandbox's `POST /_sandbox/apps` (registering a second app); skipped where the sandbox
does not have it yet.
"""

import datetime as dt

import pytest
import requests
from django.utils import timezone

from agency import x_apps
from platforms.x import tokens
from socials.models import Account
from tests.socials.test_connect_sandbox import connect_through_x, sandbox  # noqa: F401  (the fixture)


@pytest.fixture
def second_app(sandbox):  # noqa: F811
    answer = requests.post(f"{sandbox.url}/_sandbox/apps", json={"name": "Alice's own app"}, timeout=5)
    if answer.status_code == 404:
        pytest.skip("this X sandbox cannot register a second app (POST /_sandbox/apps)")
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_client_connects_through_their_own_app_and_refreshes_with_it(client, alice, sandbox, second_app):  # noqa: F811
    x_apps.save_app(actor=alice, client=alice, oauth2_client_id=second_app["client_id"],
                    oauth2_client_secret=second_app["client_secret"])
    client.force_login(alice)
    page = connect_through_x(client, "alice_own").content.decode()
    assert "Connected X account @alice_own." in page
    account = Account.objects.get(user=alice)
    assert account.oauth2_client_id == second_app["client_id"]

    Account.objects.filter(pk=account.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    refreshed = tokens.refresh(Account.objects.get(pk=account.pk))
    assert refreshed.state == Account.State.CONNECTED and refreshed.expires_at > timezone.now()


def test_a_token_of_one_app_is_refused_with_the_others_credentials(alice, sandbox, second_app):  # noqa: F811
    issued = requests.post(f"{sandbox.url}/_sandbox/users", json={"username": "alice_own", "app_id": second_app["id"]},
                           timeout=5).json()
    account = Account.objects.create(
        user=alice, provider_account_id=issued["id"], username="alice_own", token_type=Account.TokenType.OAUTH2_USER,
        oauth2_access_token=issued["oauth2"]["access_token"], oauth2_refresh_token=issued["oauth2"]["refresh_token"],
        expires_at=timezone.now() - dt.timedelta(minutes=1),  # no oauth2_client_id: the platform's app
    )
    with pytest.raises(tokens.AccountUnusable):
        tokens.refresh(account)
    account.refresh_from_db()
    assert account.state == Account.State.RECONNECT_NEEDED
