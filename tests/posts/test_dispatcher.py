"""The due-post dispatcher hands due channels to workers once, and only when due."""

import datetime as dt
import importlib
import threading
import time

import pytest
from django.db import connection

from django.utils import timezone

from posts import dispatcher, services
from posts.models import Dispatcher, Post


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
def test_the_dispatcher_beats_and_stops_when_told(settings):
    stop = threading.Event()
    thread = threading.Thread(target=lambda: (dispatcher.run(poll=0.05, stop=stop), connection.close()))
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while not Dispatcher.objects.filter(name=dispatcher.NAME).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (timezone.now() - Dispatcher.objects.get().beat_at).total_seconds() < 2
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_hand_each_due_post_out_once(make_post, alice):
    from django_q.models import OrmQ

    posts = [approve(make_post, alice, schedule_at=timezone.now() + dt.timedelta(hours=1)) for _ in range(30)]
    Post.objects.update(schedule_at=timezone.now() - dt.timedelta(seconds=1))
    handed: list[list[int]] = []
    barrier = threading.Barrier(2)

    def dispatch():
        try:
            barrier.wait()
            handed.append(dispatcher.dispatch_due(limit=20))
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    handed.append(dispatcher.dispatch_due())
    assert sorted(pk for batch in handed for pk in batch) == sorted(p.pk for p in posts)
    assert sorted(pk for q in OrmQ.objects.all() for pk in _ids(q.args())) == sorted(p.pk for p in posts)


def _ids(args) -> list[int]:
    return list(args[0]) if isinstance(args[0], list) else [args[0]]


def test_the_minute_schedule_and_its_task_rows_are_gone_after_the_upgrade(db):
    from django.apps import apps
    from django_q.models import Schedule, Success

    Schedule.objects.create(name="Dispatch due posts", func="posts.tasks.dispatch", schedule_type="I", minutes=1)
    now = timezone.now()
    for func in ("posts.tasks.dispatch", "posts.tasks.publish"):
        Success.objects.create(id=func[-8:], name=func, func=func, started=now, stopped=now, success=True)
    importlib.import_module("posts.migrations.0007_dispatcher_heartbeat").unschedule_dispatcher(apps, None)
    assert not Schedule.objects.filter(func="posts.tasks.dispatch").exists()
    assert Schedule.objects.exists()  # the others stay
    assert list(Success.objects.values_list("func", flat=True)) == ["posts.tasks.publish"]


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
