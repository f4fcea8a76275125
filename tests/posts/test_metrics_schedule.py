"""When published posts' numbers are read: soon after publishing, hourly in the first week, then
once a UTC day until the staff-set tracking period ends, since X bills every post read."""

import datetime as dt

import pytest

from costs.models import MetricsPolicy
from posts.models import PostChannel
from posts.metrics import due_for_metrics

NOW = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def channel(make_post):
    post = make_post()
    PostChannel.objects.filter(post=post).update(state="published", remote_id="11")
    return post.channels.get()


def due(channel, *, published_ago, read_ago=None, now=NOW) -> bool:
    PostChannel.objects.filter(pk=channel.pk).update(
        published_at=now - published_ago, metrics_updated_at=None if read_ago is None else now - read_ago)
    return PostChannel.objects.filter(pk=channel.pk).filter(due_for_metrics(now)).exists()


MIN, HOUR, DAY = dt.timedelta(minutes=1), dt.timedelta(hours=1), dt.timedelta(days=1)


def test_a_new_post_is_read_at_once_then_at_15_minutes_1_hour_and_1_day(channel):
    assert due(channel, published_ago=2 * MIN)  # never read
    assert not due(channel, published_ago=10 * MIN, read_ago=8 * MIN)
    assert due(channel, published_ago=16 * MIN, read_ago=14 * MIN)  # the 15-minute read
    assert not due(channel, published_ago=30 * MIN, read_ago=14 * MIN)
    assert due(channel, published_ago=61 * MIN, read_ago=45 * MIN)  # the 1-hour read
    assert due(channel, published_ago=DAY + MIN, read_ago=40 * MIN)  # the 1-day read


def test_in_the_first_week_it_is_read_at_most_hourly(channel):
    assert not due(channel, published_ago=3 * DAY, read_ago=50 * MIN)
    assert due(channel, published_ago=3 * DAY, read_ago=61 * MIN)


def test_after_the_first_week_at_most_once_a_utc_day(channel):
    assert not due(channel, published_ago=10 * DAY, read_ago=14 * HOUR)  # read today (UTC) at 01:00
    assert due(channel, published_ago=10 * DAY, read_ago=16 * HOUR)  # read yesterday at 23:00


def test_tracking_stops_after_the_staff_set_period(channel):
    assert due(channel, published_ago=29 * DAY, read_ago=2 * DAY)
    assert not due(channel, published_ago=31 * DAY, read_ago=2 * DAY)
    MetricsPolicy.objects.create(tracking_days=60)
    assert due(channel, published_ago=31 * DAY, read_ago=2 * DAY)


def test_a_post_found_gone_is_not_read_again(channel):
    assert due(channel, published_ago=3 * DAY, read_ago=2 * HOUR)
    PostChannel.objects.filter(pk=channel.pk).update(metrics={"likes": 4, "unavailable": True})
    assert not due(channel, published_ago=3 * DAY, read_ago=2 * HOUR)
    assert not due(channel, published_ago=2 * MIN)
