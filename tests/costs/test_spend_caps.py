"""Monthly spend caps: a post that would pass one is held with the reason, not failed; the reseller
and staff are told; raising the cap releases it."""

import pytest
from django.core.exceptions import ValidationError

from costs import caps
from costs.models import SpendCap
from notifications.models import PendingNotification
from posts import publishing, services
from socialhub import errors
from posts.models import Post, PostChannel
from tests.conftest import sandbox_account


@pytest.fixture
def linked_post(x_sandbox, rita, alice, task):
    account = sandbox_account(x_sandbox.url, alice, "alice_x")
    post = services.create_post(author=rita, task=task, account_ids=[account.pk], content="Read example.com/spring")
    return post


def approve_and_publish(post, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.review_post(actor=alice, post=post, action=1)
        publishing.publish_post(post_id=post.pk)
    post.refresh_from_db()
    return post.channels.get()


def test_a_post_over_the_clients_cap_is_held_with_the_reason(
        linked_post, alice, rita, sam, x_sandbox, django_capture_on_commit_callbacks):
    caps.set_cap(actor=sam, client=alice, monthly_usd="0.10")

    channel = approve_and_publish(linked_post, alice, django_capture_on_commit_callbacks)

    assert channel.state == PostChannel.State.HELD and channel.error_kind == "spend_cap"
    assert channel.last_error == (
        "Held: sending it ($0.20) would take alice's X spend this month to $0.20, over the monthly cap of $0.10. "
        "It goes out once staff raise the cap, or when the month turns.")
    assert Post.objects.get(pk=linked_post.pk).status == Post.Status.PROCESSING  # held, not failed
    assert not x_sandbox.state.tweets
    told = set(PendingNotification.objects.filter(kind="post_held").values_list("recipient__username", flat=True))
    assert told == {"rita", "sam"}


def test_raising_the_cap_releases_the_post(linked_post, alice, sam, x_sandbox, django_capture_on_commit_callbacks):
    caps.set_cap(actor=sam, client=alice, monthly_usd="0.10")
    approve_and_publish(linked_post, alice, django_capture_on_commit_callbacks)

    caps.set_cap(actor=sam, client=alice, monthly_usd="5")
    assert linked_post.channels.get().state == PostChannel.State.QUEUED
    publishing.publish_post(post_id=linked_post.pk)

    linked_post.refresh_from_db()
    assert linked_post.status == Post.Status.PUBLISHED
    assert len(x_sandbox.state.tweets) == 1


def test_a_cap_on_the_x_app_holds_too(linked_post, alice, sam, django_capture_on_commit_callbacks):
    caps.set_cap(actor=sam, x_app="platform", monthly_usd="0.015")
    channel = approve_and_publish(linked_post, alice, django_capture_on_commit_callbacks)
    assert channel.state == PostChannel.State.HELD
    assert "the X spend of SocialHub's X app" in channel.last_error


def test_under_the_cap_nothing_waits(linked_post, alice, sam, django_capture_on_commit_callbacks):
    caps.set_cap(actor=sam, client=alice, monthly_usd="0.20")  # exactly what the post costs
    channel = approve_and_publish(linked_post, alice, django_capture_on_commit_callbacks)
    assert channel.state == PostChannel.State.PUBLISHED


def test_only_staff_set_caps(rita, sam, alice):
    with pytest.raises(errors.NotAllowed):
        caps.set_cap(actor=rita, client=alice, monthly_usd="1")
    with pytest.raises(ValidationError):
        caps.set_cap(actor=sam, client=alice, monthly_usd="-1")
    assert not SpendCap.objects.exists()
