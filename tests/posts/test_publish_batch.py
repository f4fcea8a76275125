"""Due posts are handed to workers in batches, and a worker sends a batch's posts concurrently,
each still exactly once. Against the X sandbox over HTTP, with real threads and connections."""

import datetime as dt
import threading
import time

import pytest
import requests
from django.db import connection
from django.utils import timezone

from posts import dispatcher, publishing, services
from posts.models import Post
from tests.conftest import sandbox_account
from xsandbox import start_sandbox

State = Post.Status


@pytest.fixture
def sandbox(settings):
    sb = start_sandbox(port=0, quiet=True, tweet_delay_ms=300)
    settings.X_API_URL = settings.X_WEB_URL = sb.url
    settings.PUBLISH_RECONCILE_DELAY_SECONDS = 0.1
    yield sb
    sb.stop()


@pytest.fixture
def x_account(sandbox, alice):
    return sandbox_account(sandbox.url, alice, "alice_x")


def approved_posts(count, *, rita, alice, task, account, name="Batch post"):
    posts = []
    for i in range(count):
        post = services.create_post(author=rita, task=task, account_ids=[account.pk], content=f"{name} {i}")
        services.review_post(actor=alice, post=post, action=1)
        posts.append(post)
    return posts


def live_tweets(sb):
    return [t for t in sb.state.tweets.values() if not t.deleted]


@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_a_batch_of_posts_concurrently_each_once(sandbox, x_account, alice, rita, task):
    posts = approved_posts(8, rita=rita, alice=alice, task=task, account=x_account)

    started = time.monotonic()
    publishing.publish_posts(post_ids=[p.pk for p in posts], threads=8)
    elapsed = time.monotonic() - started

    assert elapsed < 8 * 0.3 / 2  # one after another would take 2.4 s at 300 ms a tweet
    assert set(Post.objects.values_list("status", flat=True)) == {State.PUBLISHED}
    assert sorted(t.text for t in live_tweets(sandbox)) == sorted(p.content for p in posts)


def other_sessions() -> list[int]:
    """The backend pids of the other sessions on the test database (a worker's threads')."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return [pid for pid, in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_connections_between_batches_and_replaces_a_lost_one(sandbox, x_account, alice, rita, task):
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's sessions")
    first = approved_posts(4, rita=rita, alice=alice, task=task, account=x_account)
    publishing.publish_posts(post_ids=[p.pk for p in first], threads=4)
    kept = other_sessions()
    assert kept  # no new connection (a forked backend) for every batch

    with connection.cursor() as cursor:  # PostgreSQL restarted, or the sessions were ended
        for pid in kept:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    second = approved_posts(4, rita=rita, alice=alice, task=task, account=x_account, name="Second batch post")
    publishing.publish_posts(post_ids=[p.pk for p in second], threads=4)

    assert set(Post.objects.values_list("status", flat=True)) == {State.PUBLISHED}
    assert len(live_tweets(sandbox)) == 8


@pytest.mark.django_db(transaction=True)
def test_the_same_posts_in_two_batches_at_once_are_sent_once(sandbox, x_account, alice, rita, task):
    posts = approved_posts(4, rita=rita, alice=alice, task=task, account=x_account)
    ids = [p.pk for p in posts]

    def other_worker():
        try:
            publishing.publish_posts(post_ids=ids + ids, threads=4)  # a batch repeating itself, too
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    publishing.publish_posts(post_ids=list(reversed(ids)), threads=4)
    thread.join(timeout=30)

    assert len(live_tweets(sandbox)) == 4
    stats = requests.get(f"{sandbox.url}/_sandbox/stats", timeout=5).json()
    assert stats["requests_by_path"]["POST /2/tweets"] == 4
    assert set(Post.objects.values_list("status", flat=True)) == {State.PUBLISHED}


@pytest.mark.django_db(transaction=True)
def test_a_post_that_breaks_does_not_stop_the_rest_of_its_batch(sandbox, x_account, alice, rita, task):
    posts = approved_posts(3, rita=rita, alice=alice, task=task, account=x_account)
    missing = max(p.pk for p in posts) + 1000

    publishing.publish_posts(post_ids=[posts[0].pk, missing, "not-a-post-id", posts[1].pk, posts[2].pk], threads=2)

    assert len(live_tweets(sandbox)) == 3


def queued_tasks():
    from django_q.models import OrmQ

    return sorted((q.func(), q.args()[0]) for q in OrmQ.objects.all())


def test_the_dispatcher_hands_due_posts_out_in_batches(make_post, alice, settings):
    settings.PUBLISH_BATCH_SIZE = 2
    due = timezone.now() - dt.timedelta(seconds=1)
    posts = []
    for _ in range(5):
        post = make_post(schedule_at=timezone.now() + dt.timedelta(hours=1))
        services.review_post(actor=alice, post=post, action=1)
        posts.append(post)
    Post.objects.update(schedule_at=due)
    ids = sorted(p.pk for p in posts)

    assert dispatcher.dispatch_due() == ids
    assert queued_tasks() == sorted(
        [
            ("posts.tasks.publish_many", ids[0:2]),
            ("posts.tasks.publish_many", ids[2:4]),
            ("posts.tasks.publish", ids[4]),
        ]
    )
