"""What "due" means, defined once in posts.models: the dispatcher, the claim and the release of
held posts all ask the same question."""

import datetime as dt

import pytest
from django.utils import timezone

from posts.models import Post, PostChannel

State = PostChannel.State


def channel_in(make_post, *, status=Post.Status.APPROVED, schedule_at=None, **fields):
    post = make_post()
    Post.objects.filter(pk=post.pk).update(status=status, schedule_at=schedule_at)
    PostChannel.objects.filter(post=post).update(**fields)
    return post.channels.get()


def is_due(channel) -> bool:
    return PostChannel.objects.due().filter(pk=channel.pk).exists()


def test_a_queued_channel_is_due_when_its_approved_post_s_time_has_come(make_post):
    now = timezone.now()
    assert is_due(channel_in(make_post))
    assert is_due(channel_in(make_post, schedule_at=now - dt.timedelta(seconds=1)))
    assert is_due(channel_in(make_post, status=Post.Status.PROCESSING))
    assert not is_due(channel_in(make_post, schedule_at=now + dt.timedelta(minutes=5)))
    assert not is_due(channel_in(make_post, status=Post.Status.PENDING))
    assert not is_due(channel_in(make_post, status=Post.Status.FAILED))


@pytest.mark.parametrize("state", [State.RETRY, State.UNKNOWN])
def test_a_retry_or_unknown_outcome_is_due_once_its_wait_is_over(make_post, state):
    now = timezone.now()
    assert is_due(channel_in(make_post, status=Post.Status.PROCESSING, state=state, next_attempt_at=now))
    assert not is_due(channel_in(make_post, status=Post.Status.PROCESSING, state=state,
                                 next_attempt_at=now + dt.timedelta(minutes=1)))


def test_a_sending_channel_is_due_only_once_its_worker_s_lease_is_over(make_post, settings):
    settings.PUBLISH_LEASE_SECONDS = 60
    now = timezone.now()
    assert not is_due(channel_in(make_post, status=Post.Status.PROCESSING, state=State.SENDING,
                                 claimed_at=now - dt.timedelta(seconds=30)))
    assert is_due(channel_in(make_post, status=Post.Status.PROCESSING, state=State.SENDING,
                             claimed_at=now - dt.timedelta(seconds=61)))


@pytest.mark.parametrize("state", [State.HELD, State.PUBLISHED, State.FAILED])
def test_held_published_and_failed_channels_are_never_due(make_post, state):
    assert not is_due(channel_in(make_post, status=Post.Status.PROCESSING, state=state, remote_id="1"))


def test_a_post_in_memory_is_due_exactly_when_the_queryset_says_so(make_post):
    now = timezone.now()
    cases = [
        (status, when)
        for status in Post.Status
        for when in (None, now - dt.timedelta(minutes=1), now + dt.timedelta(minutes=1))
    ]
    for status, when in cases:
        post = make_post()
        Post.objects.filter(pk=post.pk).update(status=status, schedule_at=when, published_at=now)
        post.refresh_from_db()
        assert post.is_due(now) == Post.objects.due(now).filter(pk=post.pk).exists(), (status, when)
