"""Test connection asks each network with its own client's identity call (socials.connections):
a working token says so, a token the network no longer accepts shows "reconnect needed"."""

import pytest
from django.urls import reverse

from platforms.registry import PLATFORMS
from socials import services
from socials.connections import CONNECTIONS, connection_for
from socials.models import Account

NETWORKS = ["mastodon_account", "bluesky_account", "linkedin_account", "facebook_account", "instagram_account"]


def forget_tokens(sandbox, account: Account) -> None:
    """The network no longer knows the account's token (revoked on its side, or expired there)."""
    state = sandbox.state
    tokens = {"mastodon": state.tokens, "linkedin": state.li_tokens, "facebook": state.fb_tokens,
              "instagram": state.ig_tokens}
    if account.provider == "bluesky":
        state.sessions.clear()
        state.refresh_tokens.clear()
        # An access token that reads as expired: the session is renewed first, and refused.
        Account.objects.filter(pk=account.pk).update(oauth2_access_token="not-a-jwt")
        account.refresh_from_db()
    else:
        tokens[account.provider].pop(account.oauth2_access_token)


def test_every_network_has_a_connection_to_test_and_revoke():
    assert set(CONNECTIONS) == set(PLATFORMS)
    assert all(callable(connection_for(name).test) for name in PLATFORMS)


@pytest.mark.parametrize("fixture", NETWORKS)
def test_test_connection_works_on_every_network(request, fixture):
    account = request.getfixturevalue(fixture)

    report = services.test_connection(actor=account.user, account=account)

    account.refresh_from_db()
    assert report.works and report.can_post and not report.error_kind, report.message
    assert f"The {account.platform_label} connection of " in report.message
    assert account.state == Account.State.CONNECTED and account.last_checked_at is not None


@pytest.mark.parametrize("fixture", NETWORKS)
def test_a_token_the_network_no_longer_accepts_shows_reconnect_needed(request, sandbox, fixture):
    account = request.getfixturevalue(fixture)
    forget_tokens(sandbox, account)

    report = services.test_connection(actor=account.user, account=account)

    account.refresh_from_db()
    assert not report.works and report.error_kind == "auth", report.message
    assert account.state == Account.State.RECONNECT_NEEDED and account.state_message


def test_the_test_button_reports_a_dead_linkedin_token_on_the_account_page(client, sandbox, alice, linkedin_account):
    forget_tokens(sandbox, linkedin_account)
    client.force_login(alice)

    page = client.post(reverse("socials:test", args=[linkedin_account.pk]), follow=True).content.decode()

    assert "Reconnect needed" in page
    assert Account.objects.get(pk=linkedin_account.pk).state == Account.State.RECONNECT_NEEDED


def test_a_working_test_clears_reconnect_needed(sandbox, alice, facebook_account):
    Account.objects.filter(pk=facebook_account.pk).update(state=Account.State.RECONNECT_NEEDED, state_message="x")
    facebook_account.refresh_from_db()

    assert services.test_connection(actor=alice, account=facebook_account).works

    assert Account.objects.get(pk=facebook_account.pk).state == Account.State.CONNECTED


def test_disconnecting_a_network_without_a_revoke_says_there_was_nothing_to_revoke(sandbox, alice, instagram_account):
    result = services.disconnect_account(actor=alice, account=instagram_account)

    assert result.revoked is None and result.account.state == Account.State.DISCONNECTED
    assert not result.account.oauth2_access_token


def test_an_account_of_a_network_socialhub_does_not_know_is_reported_not_tested(alice):
    account = Account.objects.create(user=alice, provider="myspace", provider_account_id="1",
                                     token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token="t")

    report = services.test_connection(actor=alice, account=account)

    assert not report.works and report.error_kind == "unsupported"
