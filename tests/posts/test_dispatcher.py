"""The due-post dispatcher hands due channels to workers once, and only when due."""

import datetime as dt
import importlib
import threading
import time

import pytest
from django.db import connection

from django.utils import timezone

from posts import dispatcher, services
from posts.models import Post


def queued_posts():
    from django_q.models import OrmQ

    return sorted(q.args()[0] for q in OrmQ.objects.all())


def approve(make_post, alice, **fields):
    post = make_post(**fields)
    services.review_post(actor=alice, post=post, action=1)
    return post


def test_a_scheduled_post_is_dispatched_once_when_its_time_comes(make_post, alice):
    post = approve(make_post, alice, schedule_at=timezone.now() + dt.timedelta(hours=1))
    assert dispatcher.dispatch_due() == []

    Post.objects.filter(pk=post.pk).update(schedule_at=timezone.now() - dt.timedelta(seconds=1))
    assert dispatcher.dispatch_due() == [post.pk]
    assert dispatcher.dispatch_due() == []  # handed out already
    assert queued_posts() == [post.pk]


def test_pending_and_published_posts_are_not_dispatched(make_post, alice):
    make_post()
    published = approve(make_post, alice)
    published.channels.update(state="published", remote_id="1", dispatched_at=None)
    assert dispatcher.dispatch_due() == []


def test_retries_and_unknown_outcomes_are_dispatched_when_their_wait_is_over(make_post, alice):
    post = approve(make_post, alice)
    later = timezone.now() + dt.timedelta(minutes=5)
    post.channels.update(state="retry", next_attempt_at=later, dispatched_at=None)
    assert dispatcher.dispatch_due() == []
    post.channels.update(state="unknown", next_attempt_at=timezone.now())
    assert dispatcher.dispatch_due() == [post.pk]


def test_a_channel_whose_sender_vanished_is_dispatched_after_its_lease(make_post, alice, settings):
    post = approve(make_post, alice)
    claimed = timezone.now() - dt.timedelta(seconds=5)
    post.channels.update(state="sending", claimed_at=claimed, dispatched_at=claimed - dt.timedelta(seconds=1))
    settings.PUBLISH_LEASE_SECONDS = 60
    assert dispatcher.dispatch_due() == []
    settings.PUBLISH_LEASE_SECONDS = 2
    assert dispatcher.dispatch_due() == [post.pk]


def test_a_lost_dispatch_is_repeated_after_a_while(make_post, alice, settings):
    post = approve(make_post, alice)
    post.channels.update(dispatched_at=timezone.now() - dt.timedelta(seconds=61))
    settings.DISPATCHER_REDISPATCH_SECONDS = 60
    assert dispatcher.dispatch_due() == [post.pk]


@pytest.mark.django_db(transaction=True)
def test_a_newer_dispatcher_loop_takes_over_and_the_older_stops():
    def older():
        try:
            dispatcher.run_dispatcher(seconds=30, poll=0.05)
        finally:
            connection.close()

    thread = threading.Thread(target=older)
    started = time.monotonic()
    thread.start()
    time.sleep(0.3)
    dispatcher.run_dispatcher(seconds=0.2, poll=0.05)  # the next minute's loop
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert time.monotonic() - started < 5  # the older loop stopped; it did not run its 30 s


def test_the_dispatcher_is_scheduled_every_minute(db):
    from django.apps import apps
    from django_q.models import Schedule

    migration = importlib.import_module("posts.migrations.0002_publishing_pipeline")
    Schedule.objects.filter(func="posts.tasks.dispatch").delete()
    migration.schedule_dispatcher(apps, None)
    migration.schedule_dispatcher(apps, None)  # idempotent
    schedule = Schedule.objects.get(func="posts.tasks.dispatch")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)


def test_a_post_left_processing_by_a_dead_worker_is_settled_later(make_post, alice, settings):
    settings.DISPATCHER_SETTLE_AFTER_SECONDS = 10
    post = approve(make_post, alice)
    # The worker recorded the tweet, then died before setting the post's own status.
    post.channels.update(state="published", remote_id="123", dispatched_at=None)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PROCESSING)
    assert dispatcher.settle_orphans() == []  # it may still be settling it itself

    Post.objects.filter(pk=post.pk).update(updated_at=timezone.now() - dt.timedelta(seconds=11))
    assert dispatcher.settle_orphans() == [post.pk]
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_posts_with_a_channel_still_pending_are_not_settled(make_post, alice, settings):
    settings.DISPATCHER_SETTLE_AFTER_SECONDS = 0
    post = approve(make_post, alice)
    Post.objects.filter(pk=post.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=5))
    assert dispatcher.settle_orphans() == []
    assert Post.objects.get(pk=post.pk).status == Post.Status.APPROVED
