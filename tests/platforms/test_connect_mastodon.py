"""A client connects a Mastodon account: types the instance, SocialHub registers its app there the
first time, the client approves on the instance, and the account is saved with its token
encrypted. Reconnect, test connection and disconnect (which revokes the token there) work too."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import requests
from django.db import connection
from django.urls import reverse

from platforms.models import MastodonApp
from socials import services
from socials.models import Account

CONNECT = reverse("platforms:mastodon-connect")


def approve_on_instance(sandbox, authorize_url: str, *, username="alice", decision="approve") -> str:
    """What the client does on the instance's consent page; returns where it sends them back."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    page = requests.get(authorize_url, timeout=5)
    assert page.status_code == 200 and "Authorize" in page.text
    answer = requests.post(f"{sandbox.url}/oauth/authorize", allow_redirects=False, timeout=5, data={
        "client_id": query["client_id"], "redirect_uri": query["redirect_uri"], "scope": query["scope"],
        "state": query["state"], "username": username, "decision": decision})
    return answer.headers["Location"]


def connect(client, sandbox, **kwargs) -> str:
    started = client.post(CONNECT, {"instance": sandbox.url})
    assert started.status_code == 200, started.content
    authorize = html.unescape(re.search(r'href="([^"]+)" data-authorize', started.content.decode())[1])
    back = approve_on_instance(sandbox, authorize, **kwargs)
    return urlsplit(back).path + "?" + urlsplit(back).query


def test_a_client_connects_a_mastodon_account_registering_the_app_on_the_instance_once(client, sandbox, alice):
    client.force_login(alice)
    page = client.get(CONNECT)
    assert b"Your Mastodon server" in page.content

    done = client.get(connect(client, sandbox), follow=True)

    account = Account.objects.get(user=alice, provider="mastodon")
    assert account.server_url == sandbox.url and account.username == "alice"
    assert account.token_type == Account.TokenType.OAUTH2_USER and account.can_post
    assert str(account) == "@alice@127.0.0.1"
    assert b"Connected Mastodon account @alice@127.0.0.1" in done.content
    with connection.cursor() as cursor:  # the token is encrypted at rest, like X's
        cursor.execute("SELECT oauth2_access_token FROM socials_account WHERE id = %s", [account.pk])
        stored = cursor.fetchone()[0]
    assert stored != account.oauth2_access_token and account.oauth2_access_token in sandbox.state.tokens
    app = MastodonApp.objects.get(instance_url=sandbox.url)
    assert app.redirect_uri.endswith("/platforms/mastodon/callback/")
    assert len(sandbox.state.apps) == 1

    client.get(connect(client, sandbox))  # reconnecting uses the app registered the first time
    assert len(sandbox.state.apps) == 1
    assert Account.objects.filter(user=alice, provider="mastodon").count() == 1


def test_an_instance_typed_as_a_bare_host_gets_https_and_a_path_is_refused(client, sandbox, alice, settings):
    client.force_login(alice)
    with_path = client.post(CONNECT, {"instance": "https://mastodon.example/@alice"})
    settings.MASTODON_ALLOW_HTTP = False
    plain_http = client.post(CONNECT, {"instance": sandbox.url})

    assert "without a path" in with_path.content.decode()
    assert "https" in plain_http.content.decode()
    assert not MastodonApp.objects.exists()


def test_a_server_that_is_not_mastodon_is_named_next_to_the_field(client, alice, settings):
    settings.MASTODON_ALLOW_HTTP = True
    client.force_login(alice)
    page = client.post(CONNECT, {"instance": "http://127.0.0.1:9"})  # nothing listens there
    assert page.status_code == 200
    assert "did not answer as a Mastodon server" in page.content.decode()


def test_denying_on_the_instance_connects_nothing_and_says_so(client, sandbox, alice):
    client.force_login(alice)
    page = client.get(connect(client, sandbox, decision="deny"), follow=True)
    assert b"You did not approve SocialHub on Mastodon" in page.content
    assert not Account.objects.filter(provider="mastodon").exists()


def test_a_callback_with_a_foreign_state_is_refused(client, sandbox, alice):
    client.force_login(alice)
    back = connect(client, sandbox)
    forged = back.replace("state=", "state=x")
    page = client.get(forged, follow=True)
    assert b"was not started here" in page.content
    assert not Account.objects.filter(provider="mastodon").exists()


def test_only_a_client_connects(client, sandbox, rita):
    client.force_login(rita)
    assert client.get(CONNECT).status_code == 403


def test_test_connection_and_disconnect_revoke_the_token_on_the_instance(client, sandbox, alice):
    client.force_login(alice)
    client.get(connect(client, sandbox))
    account = Account.objects.get(provider="mastodon")
    token = account.oauth2_access_token

    report = services.test_connection(actor=alice, account=account)
    assert report.works and "@alice@127.0.0.1 works" in report.message
    assert report.rate_limit.remaining is not None

    result = services.disconnect_account(actor=alice, account=account)
    account.refresh_from_db()
    assert result.revoked is True and token not in sandbox.state.tokens
    assert account.state == Account.State.DISCONNECTED and not account.oauth2_access_token


def test_a_revoked_token_shows_reconnect_needed_on_test_connection(sandbox, mastodon_account):
    sandbox.state.tokens.clear()
    report = services.test_connection(actor=mastodon_account.user, account=mastodon_account)
    mastodon_account.refresh_from_db()
    assert not report.works and report.error_kind == "auth"
    assert mastodon_account.state == Account.State.RECONNECT_NEEDED


def test_the_accounts_page_lists_each_network_with_its_connect_and_reconnect_links(client, alice, mastodon_account,
                                                                                 bluesky_account):
    client.force_login(alice)
    page = client.get(reverse("socials:accounts")).content.decode()
    assert "Connect Mastodon account" in page and "Connect Bluesky account" in page
    assert "Mastodon</td>" in page and "Bluesky</td>" in page
    assert f"{CONNECT}?account={mastodon_account.pk}" in page
