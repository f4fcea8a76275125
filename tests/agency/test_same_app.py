"""Same text on many accounts under one X app: the composer warns; approval holds all but one."""

from agency import same_app
from posts import services
from posts.models import PostChannel
from tests.conftest import make_account


def test_approval_holds_the_second_account_on_the_platform_app_with_the_reason(make_post, alice, alice_account):
    second = make_account(alice, "alice_shop")
    post = make_post(account_ids=[alice_account.pk, second.pk])
    services.review_post(actor=alice, post=post, action=1)
    states = {c.account.username: c for c in post.channels.select_related("account")}
    assert states["alice_x"].state == PostChannel.State.QUEUED
    held = states["alice_shop"]
    assert held.state == PostChannel.State.HELD and held.error_kind == same_app.HELD_KIND
    assert "same text to several accounts" in held.last_error and "alice_x" in held.last_error


def test_accounts_each_on_their_own_app_are_not_held(make_post, alice, alice_account):
    alice_account.oauth2_client_id, alice_account.oauth2_client_secret = "app-one", "s1"
    alice_account.save()
    second = make_account(alice, "alice_shop", oauth2_client_id="app-two", oauth2_client_secret="s2")
    post = make_post(account_ids=[alice_account.pk, second.pk])
    services.review_post(actor=alice, post=post, action=1)
    assert set(post.channels.values_list("state", flat=True)) == {PostChannel.State.QUEUED}


def test_the_composer_marks_each_account_with_its_app(client, rita, alice, task, alice_account):
    make_account(alice, "alice_shop", oauth2_client_id="app-two", oauth2_client_secret="s2")
    client.force_login(rita)
    page = client.get("/posts/new/").content.decode()
    assert 'data-x-app="platform"' in page and 'data-x-app="oauth2:app-two"' in page
    assert "data-same-app-warning" in page
