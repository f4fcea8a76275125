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


def test_the_claim_takes_exactly_the_channels_claimable_says(make_post, settings):
    """The claim's UPDATE is compiled from models.claimable once per process (posts.publishing):
    it must take what claimable allows, and nothing else."""
    from posts import publishing
    from posts.models import claimable

    settings.PUBLISH_LEASE_SECONDS = 60
    now = timezone.now()
    minute = dt.timedelta(minutes=1)
    cases = [
        {"state": State.QUEUED},
        {"state": State.RETRY, "next_attempt_at": None},
        {"state": State.RETRY, "next_attempt_at": now - minute},
        {"state": State.RETRY, "next_attempt_at": now + minute},
        {"state": State.UNKNOWN, "next_attempt_at": now},
        {"state": State.UNKNOWN, "next_attempt_at": now + minute},
        {"state": State.SENDING, "claimed_at": now - 2 * minute},
        {"state": State.SENDING, "claimed_at": now - dt.timedelta(seconds=30)},
        {"state": State.HELD},
        {"state": State.FAILED},
        {"state": State.PUBLISHED, "remote_id": "1"},
    ]
    for fields in cases:
        channel = channel_in(make_post, status=Post.Status.PROCESSING, **fields)
        allowed = PostChannel.objects.filter(claimable(now), pk=channel.pk).exists()
        assert publishing._claim(channel, "Claimed text", now) == allowed, fields
        channel.refresh_from_db()
        if allowed:
            assert (channel.state, channel.claimed_at, channel.sent_text, channel.attempts) == (
                State.SENDING, now, "Claimed text", 1
            )
            assert channel.first_attempt_at == now and channel.updated_at == now
        else:
            assert channel.state == fields["state"]


def test_the_claim_does_not_take_a_channel_changed_since_it_was_read(make_post, settings):
    from posts import publishing

    settings.PUBLISH_LEASE_SECONDS = 60
    now = timezone.now()
    queued = channel_in(make_post)
    PostChannel.objects.filter(pk=queued.pk).update(state=State.SENDING, claimed_at=now)  # another worker's
    assert not publishing._claim(queued, "Mine", now)

    abandoned = channel_in(make_post, status=Post.Status.PROCESSING, state=State.SENDING,
                           claimed_at=now - dt.timedelta(minutes=5))
    PostChannel.objects.filter(pk=abandoned.pk).update(claimed_at=now - dt.timedelta(minutes=4))  # taken over
    assert not publishing._claim(abandoned, "Mine", now)
    abandoned.refresh_from_db()
    assert publishing._claim(abandoned, "Mine", now)  # as read now: past its lease, so ours
