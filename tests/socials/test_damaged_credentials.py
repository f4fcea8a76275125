"""Credentials that cannot be X's ("€" as a client secret) are refused when saved, and ones already
stored never crash a page, the connection test, a disconnect or the publish worker."""

import datetime as dt

import pytest
import responses
from django.utils import timezone

from posts import publishing
from posts.models import Post, PostChannel
from socials.models import Account
from tests.conftest import make_account


def test_a_non_ascii_client_secret_is_refused_when_saved(client, alice, alice_account):
    client.force_login(alice)
    answer = client.patch(
        f"/api/accounts/{alice_account.pk}",
        {"oauth2_client_id": "cid", "oauth2_client_secret": "€"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "oauth2_client_secret" in answer.json()["details"]
    assert Account.objects.get(pk=alice_account.pk).oauth2_client_secret == ""


def test_a_token_with_a_line_break_is_refused_when_registered(client, alice):
    client.force_login(alice)
    answer = client.post(
        "/api/accounts",
        {"token_type": "oauth2_user", "provider_account_id": "7", "oauth2_access_token": "abc\r\nX-Evil: 1"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "oauth2_access_token" in answer.json()["details"]


@pytest.fixture
def damaged(alice):
    """An account stored before credentials were checked, its token due for a refresh."""
    return make_account(
        alice, "alice_old", oauth2_client_id="cid", oauth2_client_secret="€",
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )


@responses.activate
def test_the_account_page_says_to_reconnect(client, alice, damaged, x_app):
    client.force_login(alice)
    page = client.get(f"/socials/accounts/{damaged.pk}/")
    assert page.status_code == 200
    assert "saved credentials are not valid X tokens" in page.content.decode()
    assert Account.objects.get(pk=damaged.pk).state == Account.State.RECONNECT_NEEDED


@responses.activate
def test_the_connection_test_reports_it(client, alice, damaged, x_app):
    client.force_login(alice)
    answer = client.get("/socials/test-connection/twitter", {"account": damaged.pk})
    assert answer.status_code == 200
    assert answer.json()["success"] is False


@responses.activate
def test_disconnecting_forgets_them_without_calling_x(client, alice, damaged, x_app):
    client.force_login(alice)
    answer = client.delete(f"/api/accounts/{damaged.pk}")
    assert answer.status_code == 200
    assert Account.objects.get(pk=damaged.pk).state == Account.State.DISCONNECTED
    assert len(responses.calls) == 0


@responses.activate
def test_the_publish_worker_fails_the_post_with_a_reason(make_post, alice, damaged, x_app):
    post = make_post(account_ids=[damaged.pk])
    Post.objects.filter(pk=post.pk).update(status=Post.Status.APPROVED)
    publishing.publish_post(post_id=post.pk)
    channel = PostChannel.objects.get(post=post)
    assert channel.state == PostChannel.State.FAILED
    assert Post.objects.get(pk=post.pk).status == Post.Status.FAILED
    assert "Reconnect your X account" in channel.last_error
    assert len(responses.calls) == 0
