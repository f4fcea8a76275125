"""GET /api/posts reads its page's channels with one plain statement (posts.api_list._channels):
the same rows as the ORM's values(), converted the same (aware times, decoded metrics)."""

import datetime as dt

from django.utils import timezone

from posts import api_list
from posts.models import PostChannel
from tests.conftest import make_account


def test_the_channels_read_plainly_are_the_orms(make_post, alice):
    other = make_account(alice, "alice_two")
    first = make_post(hashtags=[])
    second = make_post(account_ids=[other.pk, *first.channels.values_list("account_id", flat=True)])
    now = timezone.now().replace(microsecond=123456)
    PostChannel.objects.filter(post=second, account=other).update(
        state=PostChannel.State.PUBLISHED, remote_id="17", remote_url="https://x.com/a/status/17", published_at=now,
        metrics={"like_count": 3, "note": "<b>"}, metrics_updated_at=now + dt.timedelta(minutes=1), attempts=2,
        next_attempt_at=now - dt.timedelta(days=1), last_error="", error_kind="")
    ids = [second.pk, first.pk, 10**9]
    expected = list(PostChannel.objects.filter(post_id__in=ids).order_by("pk").values(*api_list.CHANNEL_FIELDS))
    read = api_list._channels(ids)
    assert read == expected and len(read) == 3
    published = next(row for row in read if row["remote_id"] == "17")
    assert published["published_at"] == now and published["published_at"].tzinfo is not None
    assert published["metrics"] == {"like_count": 3, "note": "<b>"}
    assert published["account__username"] == "alice_two"
