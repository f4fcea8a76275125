"""/healthz/publishing tells a monitor whether publishing keeps up: the dispatcher's last beat, the
oldest due channel, the queue depth and the last hour's failures; 503 once publishing has stalled."""

import datetime as dt

import pytest
from django.utils import timezone

from posts import dispatcher, services
from posts.models import Dispatcher, Post


@pytest.fixture
def beating(db):
    """A dispatcher beat just now."""
    dispatcher.beat()


def health(client, status=200):
    response = client.get("/healthz/publishing")
    assert response.status_code == status, response.content
    assert response["Cache-Control"] == "no-store"
    return response.json()


def test_a_beating_dispatcher_and_nothing_due_is_healthy(client, beating):
    body = health(client)
    assert body["ok"] is True
    assert body["problems"] == []
    assert body["dispatcher_beat_age_seconds"] < 2
    assert body["oldest_due_seconds"] is None
    assert body["queue_depth"] == 0
    assert body["failed_last_hour"] == {"channels": 0, "channels_by_kind": {}, "tasks": 0}


def test_without_a_dispatcher_it_answers_503_and_says_to_start_one(client, db):
    body = health(client, 503)
    assert body["ok"] is False
    assert body["problems"] == ["No due-post dispatcher has ever run: start `manage.py dispatch` beside qcluster."]


def test_a_dispatcher_silent_for_longer_than_the_stall_limit_answers_503(client, beating, settings):
    settings.DISPATCHER_STALL_SECONDS = 60
    Dispatcher.objects.update(beat_at=timezone.now() - dt.timedelta(seconds=90))
    body = health(client, 503)
    assert body["problems"] == ["The due-post dispatcher last beat 90 s ago: is `manage.py dispatch` running?"]


def test_a_post_due_for_longer_than_the_stall_limit_answers_503(client, beating, make_post, alice, settings):
    settings.DISPATCHER_STALL_SECONDS = 60
    post = make_post(schedule_at=timezone.now() + dt.timedelta(hours=1))
    services.review_post(actor=alice, post=post, action=1)
    assert health(client)["oldest_due_seconds"] is None  # not due yet

    Post.objects.filter(pk=post.pk).update(schedule_at=timezone.now() - dt.timedelta(seconds=30))
    assert 29 <= health(client)["oldest_due_seconds"] <= 32  # due, still within the limit

    Post.objects.filter(pk=post.pk).update(schedule_at=timezone.now() - dt.timedelta(minutes=5))
    body = health(client, 503)
    assert body["oldest_due_seconds"] >= 300
    assert body["problems"] == ["A post has been due for 300 s: are the qcluster workers running and keeping up?"]


def test_it_counts_queued_tasks_and_the_last_hours_failures_by_kind(
    client, beating, make_post, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            services.review_post(actor=alice, post=make_post(), action=1)  # each enqueues a publish task
    failed = make_post()
    failed.channels.update(state="failed", error_kind="auth", last_error="Reconnect the account.")
    old = make_post()
    old.channels.update(state="failed", error_kind="auth", updated_at=timezone.now() - dt.timedelta(hours=2))

    body = health(client)
    assert body["queue_depth"] == 2
    assert body["failed_last_hour"]["channels"] == 1
    assert body["failed_last_hour"]["channels_by_kind"] == {"auth": 1}
    assert "Reconnect" not in str(body)  # counts, never a post's content or error text
