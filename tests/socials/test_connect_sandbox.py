"""The whole connect flow against the local X sandbox: real HTTP, real PKCE, real OAuth 1.0a signatures.

The Django test client plays the browser on SocialHub's side; `requests` plays it on the sandbox's
side (authorize with auto_approve), and the sandbox's redirect is followed back into the test client.
"""

from urllib.parse import urlsplit

import pytest
import requests
from django.db import connection

from platforms.x.client import OAuth2Credentials, XClient, XError
from posts import metrics
from posts.models import PostChannel
from socials import services
from socials.models import Account
from xsandbox import start_sandbox

from tests.conftest import x_app_settings


@pytest.fixture
def sandbox(settings):
    sb = start_sandbox(port=0, quiet=True)
    x_app_settings(settings, api_url=sb.url, authorize_url=f"{sb.url}/i/oauth2/authorize")
    config = sb.state.config
    settings.TWITTER_CLIENT_ID, settings.TWITTER_CLIENT_SECRET = config.client_id, config.client_secret
    settings.TWITTER_CONSUMER_KEY, settings.TWITTER_CONSUMER_SECRET = config.consumer_key, config.consumer_secret
    settings.TWITTER_BEARER_TOKEN = config.app_bearer_token
    providers = {name: dict(conf) for name, conf in settings.SOCIALACCOUNT_PROVIDERS.items()}
    providers["twitter_oauth2"]["APPS"] = [{"client_id": config.client_id, "secret": config.client_secret}]
    providers["twitter"]["APPS"] = [{"client_id": config.consumer_key, "secret": config.consumer_secret}]
    settings.SOCIALACCOUNT_PROVIDERS = providers
    yield sb
    sb.stop()


def connect_through_x(client, username: str, provider: str = "twitter_oauth2"):
    """POST the connect button, approve on the sandbox as `username`, follow X's redirect back."""
    start = client.post(f"/accounts/{provider}/login/", {"process": "connect"})
    assert start.status_code == 302, start.content
    approve = requests.get(f"{start['Location']}&auto_approve=1&username={username}", allow_redirects=False,
                           timeout=10)
    assert approve.status_code in (302, 303), approve.text
    back = urlsplit(approve.headers["Location"])
    assert back.netloc == "testserver"
    return client.get(f"{back.path}?{back.query}", follow=True)


def test_a_client_connects_x_through_the_sandbox(client, alice, sandbox):
    client.force_login(alice)

    page = connect_through_x(client, "alice_x").content.decode()

    assert "Connected X account @alice_x." in page
    account = Account.objects.get(user=alice)
    sandbox_user = next(u for u in sandbox.state.users.values() if u.username == "alice_x")
    assert account.provider_account_id == sandbox_user.id
    assert account.token_type == "oauth2_user" and account.oauth2_refresh_token and account.expires_at
    assert set(account.scope.split()) >= {"tweet.write", "media.write", "offline.access"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT oauth2_access_token FROM socials_account WHERE id = %s", [account.pk])
        assert cursor.fetchone()[0] != account.oauth2_access_token  # encrypted at rest

    report = services.test_connection(actor=account.user, account=account)
    assert report.works and report.can_post and report.username == "alice_x"
    assert report.rate_limit.limit and report.rate_limit.remaining is not None


def test_reconnect_and_disconnect_against_the_sandbox(client, alice, sandbox, task, rita):
    from posts import services as posts

    client.force_login(alice)
    connect_through_x(client, "alice_x")
    first = Account.objects.get(user=alice)
    post = posts.create_post(author=rita, task=task, content="Later", account_ids=[first.pk])

    result = services.disconnect_account(actor=alice, account=first)
    assert result.revoked is True and result.held == 1
    with XClient(OAuth2Credentials(first.oauth2_access_token), api_url=sandbox.url) as x:
        with pytest.raises(XError) as refused:
            x.get_me()  # X no longer accepts the revoked token
    assert refused.value.kind == "auth"
    assert post.channels.get().state == PostChannel.State.HELD

    connect_through_x(client, "alice_x")
    account = Account.objects.get(user=alice)  # the same account, reconnected
    assert account.pk == first.pk and account.state == Account.State.CONNECTED
    assert account.oauth2_access_token != first.oauth2_access_token
    assert post.channels.get().state == PostChannel.State.QUEUED
    assert services.test_connection(actor=account.user, account=account).works


def test_oauth1_connects_through_the_sandbox(client, alice, sandbox):
    client.force_login(alice)
    page = connect_through_x(client, "alice_o1", provider="twitter").content.decode()
    assert "Connected X account @alice_o1." in page
    account = Account.objects.get(user=alice)
    assert account.token_type == "oauth1" and account.oauth1_access_token_secret
    report = services.test_connection(actor=account.user, account=account)
    assert report.works and report.authentication == "OAuth 1.0a User Context"


def test_metrics_refresh_reads_the_sandbox(client, alice, sandbox, task, rita):
    from posts import services as posts

    client.force_login(alice)
    connect_through_x(client, "alice_x")
    account = Account.objects.get(user=alice)
    with XClient(OAuth2Credentials(account.oauth2_access_token), api_url=sandbox.url) as x:
        tweet = x.create_tweet("Hello from the sandbox")
    post = posts.create_post(author=rita, task=task, content="Hello from the sandbox", account_ids=[account.pk])
    post.channels.update(state="published", remote_id=tweet["id"])

    assert metrics.refresh_metrics().updated == 1
    read = post.channels.get().metrics
    assert {"impressions", "likes", "replies", "reposts", "quotes"} <= set(read)
