"""socialhub.compiled: statements made once per process write what the ORM would have written."""

import datetime as dt

from django.utils import timezone

from costs.models import XCall
from notifications.models import PendingNotification
from socialhub import compiled


def test_an_inserted_row_is_what_create_would_have_saved(alice):
    item = PendingNotification(recipient=alice, kind="post_published", payload={"post": {"id": 1}})

    compiled.insert([item])

    saved = PendingNotification.objects.get()
    assert (saved.pk, saved.recipient, saved.kind, saved.payload) == (item.pk, alice, "post_published", {"post": {"id": 1}})
    assert saved.created_at == item.created_at and saved.claim is None
    assert not item._state.adding


def test_rows_that_conflict_are_skipped_when_asked(alice):
    now = timezone.now()

    def read(tweet_id):
        return XCall(at=now, day=now.astimezone(dt.timezone.utc).date(), client=alice, x_app="platform",
                     endpoint="GET /2/tweets", kind=XCall.Kind.POST_READ, micros=5_000, resource_id=tweet_id)

    compiled.insert([read("1"), read("2")], ignore_conflicts=True)
    compiled.insert([read("2"), read("3")], ignore_conflicts=True)  # "2" was read today already

    assert sorted(XCall.objects.values_list("resource_id", flat=True)) == ["1", "2", "3"]
