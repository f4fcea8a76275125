"""Connecting, registering, changing and disconnecting X accounts through socials.services."""

import pytest
import requests
import responses
from django.core.exceptions import ValidationError

from posts.models import Post, PostChannel
from socialhub.errors import NotAllowed
from socials import services
from socials.models import Account
from tests.conftest import X_APP_API as API, make_account

REVOKE_URL = f"{API}/2/oauth2/revoke"


@responses.activate
def test_disconnecting_revokes_both_oauth2_tokens_deletes_them_and_holds_waiting_posts(alice, alice_account, make_post, x_app):
    responses.post(REVOKE_URL, json={"revoked": True})
    post = make_post()

    result = services.disconnect_account(actor=alice, account=alice_account)

    assert result.revoked is True and result.held == 1
    revoked = [(c.request.body, c.request.headers["Authorization"]) for c in responses.calls]
    assert "token=refresh-alice_x" in revoked[0][0] and "token_type_hint=refresh_token" in revoked[0][0]
    assert "token=access-alice_x" in revoked[1][0] and revoked[1][1].startswith("Basic ")
    account = Account.objects.get(pk=alice_account.pk)
    assert account.state == Account.State.DISCONNECTED
    assert not any(getattr(account, name) for name in services.TOKEN_FIELDS)
    channel = post.channels.get()
    assert channel.state == PostChannel.State.HELD
    assert channel.last_error == "Held: @alice_x was disconnected from SocialHub. Reconnect it and this post goes on."


@pytest.mark.parametrize("failure", [{"status": 503, "json": {"title": "Service Unavailable"}},
                                     {"body": requests.ConnectionError("down")}])
@responses.activate
def test_a_failed_revoke_does_not_stop_the_disconnect(alice, alice_account, x_app, failure):
    responses.post(REVOKE_URL, **failure)
    result = services.disconnect_account(actor=alice, account=alice_account)
    assert result.revoked is False
    account = Account.objects.get(pk=alice_account.pk)
    assert account.state == Account.State.DISCONNECTED and account.oauth2_refresh_token == ""


@responses.activate
def test_oauth1_tokens_are_deleted_without_a_call_to_x(alice, x_app):
    account = make_account(alice, "alice_o1", token_type="oauth1", oauth1_access_token="t",
                           oauth1_access_token_secret="s", oauth2_access_token="", oauth2_refresh_token="")
    result = services.disconnect_account(actor=alice, account=account)
    assert result.revoked is None and not responses.calls
    assert Account.objects.get(pk=account.pk).oauth1_access_token_secret == ""


@responses.activate
def test_published_and_sending_channels_are_not_held(alice, alice_account, make_post, x_app):
    responses.post(REVOKE_URL, json={})
    posts = [make_post(content=f"Post {i}") for i in range(3)]
    PostChannel.objects.filter(post=posts[0]).update(state="published", remote_id="1")
    PostChannel.objects.filter(post=posts[1]).update(state="sending")
    services.disconnect_account(actor=alice, account=alice_account)
    assert [p.channels.get().state for p in posts] == ["published", "sending", "held"]


def test_only_the_owner_or_staff_disconnect(alice_account, rita, bob, task):
    for someone in (rita, bob):
        with pytest.raises(NotAllowed):
            services.disconnect_account(actor=someone, account=alice_account)
    assert Account.objects.get(pk=alice_account.pk).state == Account.State.CONNECTED


@responses.activate
def test_staff_disconnect_any_account(sam, alice_account, x_app):
    responses.post(REVOKE_URL, json={})
    services.disconnect_account(actor=sam, account=alice_account)
    assert "Disconnected by sam" in Account.objects.get(pk=alice_account.pk).state_message


def test_reconnecting_an_approved_due_post_hands_it_to_the_publisher(alice, alice_account, make_post,
                                                                     django_capture_on_commit_callbacks):
    from django_q.models import OrmQ

    post = make_post()
    Post.objects.filter(pk=post.pk).update(status=Post.Status.APPROVED)
    PostChannel.objects.filter(post=post).update(state="held", last_error="Held")

    with django_capture_on_commit_callbacks(execute=True):
        services.connect_account(user=alice, provider_account_id=alice_account.provider_account_id,
                                 username="alice_x", token_type="oauth2_user", oauth2_access_token="new")

    queued = [(q.task["func"], q.task["args"]) for q in OrmQ.objects.all()]  # django-q2's ORM broker
    assert queued == [("posts.tasks.publish", (post.pk,))]
    assert post.channels.get().state == PostChannel.State.QUEUED


def test_reconnecting_with_oauth1_replaces_the_oauth2_tokens(alice, alice_account):
    services.connect_account(user=alice, provider_account_id=alice_account.provider_account_id, username="alice_x",
                             token_type="oauth1", oauth1_access_token="t1", oauth1_access_token_secret="s1")
    account = Account.objects.get(pk=alice_account.pk)
    assert account.token_type == "oauth1" and account.oauth2_refresh_token == "" and account.oauth1_access_token == "t1"


def test_x_accounts_belong_to_clients(rita):
    with pytest.raises(ValidationError):
        services.connect_account(user=rita, provider_account_id="1", username="r", token_type="oauth2_user",
                                 oauth2_access_token="a")


@responses.activate
def test_registering_user_tokens_reads_the_x_id_and_username_from_x(alice, x_app):
    responses.get(f"{API}/2/users/me", json={"data": {"id": "900", "username": "alice_pasted", "name": "Alice"}})
    connected = services.register_account(actor=alice, user=alice, token_type="oauth2_user",
                                          oauth2_access_token="pasted-access", oauth2_refresh_token="pasted-refresh")
    assert connected.created
    account = connected.account
    assert (account.provider_account_id, account.username) == ("900", "alice_pasted")
    assert responses.calls[0].request.headers["Authorization"] == "Bearer pasted-access"


@responses.activate
def test_tokens_x_refuses_are_not_registered(alice, x_app):
    responses.get(f"{API}/2/users/me", status=401, json={"title": "Unauthorized"})
    with pytest.raises(ValidationError) as exc:
        services.register_account(actor=alice, user=alice, token_type="oauth1",
                                  oauth1_access_token="t", oauth1_access_token_secret="s")
    assert "X did not accept these tokens" in str(exc.value)
    assert not Account.objects.exists()


def test_a_bearer_token_needs_the_x_id(alice, x_app):
    with pytest.raises(ValidationError) as exc:
        services.register_account(actor=alice, user=alice, token_type="bearer", access_token="b")
    assert "provider_account_id" in exc.value.message_dict
    account = services.register_account(actor=alice, user=alice, token_type="bearer", access_token="b",
                                        provider_account_id="55", username="alice_read").account
    assert account.status_label == "Read only" and not account.can_post


@pytest.mark.parametrize("token_type, missing", [("oauth1", "oauth1_access_token_secret"),
                                                 ("oauth2_user", "oauth2_access_token")])
def test_each_kind_of_connection_needs_its_tokens(alice, token_type, missing):
    with pytest.raises(ValidationError) as exc:
        services.register_account(actor=alice, user=alice, token_type=token_type, provider_account_id="1",
                                  oauth1_access_token="t")
    assert missing in exc.value.message_dict


def test_who_registers_accounts_for_whom(alice, bob, rita, sam):
    tokens = {"token_type": "oauth2_user", "provider_account_id": "1", "oauth2_access_token": "a"}
    for actor in (rita, bob):
        with pytest.raises(NotAllowed):
            services.register_account(actor=actor, user=alice, **tokens)
    assert services.register_account(actor=sam, user=alice, **tokens).account.user == alice


def test_new_tokens_through_an_update_reconnect_the_account(alice):
    account = make_account(alice, "alice_x", state=Account.State.RECONNECT_NEEDED, state_message="Reconnect")
    services.update_account(actor=alice, account=account, name="Renamed")
    assert Account.objects.get(pk=account.pk).state == Account.State.RECONNECT_NEEDED  # no tokens, no change

    services.update_account(actor=alice, account=account, oauth2_access_token="fresh")
    account.refresh_from_db()
    assert (account.state, account.oauth2_access_token, account.name) == ("connected", "fresh", "Renamed")
    assert account.oauth2_refresh_token == "refresh-alice_x"  # not given: kept


@responses.activate
def test_approving_a_post_for_a_disconnected_account_holds_it_until_reconnect(alice, alice_account, make_post,
                                                                              x_app, django_capture_on_commit_callbacks):
    from posts import services as post_services

    responses.post(REVOKE_URL, json={"revoked": True})
    post = make_post()
    services.disconnect_account(actor=alice, account=alice_account)
    PostChannel.objects.filter(post=post).update(state=PostChannel.State.QUEUED, last_error="")

    post_services.review_post(actor=alice, post=post, action=1)

    channel = post.channels.get()
    assert channel.state == PostChannel.State.HELD
    assert "Reconnect it and this post goes on" in channel.last_error
    with django_capture_on_commit_callbacks(execute=True):
        services.connect_account(user=alice, provider_account_id=alice_account.provider_account_id,
                                 username="alice_x", token_type="oauth2_user", oauth2_access_token="new")
    assert post.channels.get().state == PostChannel.State.QUEUED


def queued_tasks():
    from django_q.models import OrmQ

    return [(q.func(), q.args()) for q in OrmQ.objects.all()]


@responses.activate
def test_a_post_tried_before_its_account_was_disconnected_is_looked_for_on_x_before_it_is_sent_again(
    alice, alice_account, make_post, x_app, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    responses.post(REVOKE_URL, json={"revoked": True})
    post = make_post()
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PROCESSING)
    tried = timezone.now() - dt.timedelta(minutes=5)
    PostChannel.objects.filter(post=post).update(state=PostChannel.State.RETRY, attempts=1, first_attempt_at=tried)
    untried = make_post()
    services.disconnect_account(actor=alice, account=alice_account)

    with django_capture_on_commit_callbacks(execute=True):
        services.connect_account(user=alice, provider_account_id=alice_account.provider_account_id,
                                 username="alice_x", token_type="oauth2_user", oauth2_access_token="new")

    assert post.channels.get().state == PostChannel.State.UNKNOWN  # reconciled first: X may have it
    assert post.channels.get().first_attempt_at == tried
    assert untried.channels.get().state == PostChannel.State.QUEUED  # pending review: not sent yet
    assert post.channels.get().error_kind == "" and post.channels.get().last_error == ""
    assert queued_tasks() == [("posts.tasks.publish", (post.pk,))]  # only the due one goes to a worker
