"""End to end: approved posts reach the X sandbox through real django-q2 workers.

A django-q2 cluster (sentinel, workers, monitor, pusher: real processes, forked) runs against the
test database with the ORM broker, and the app talks to an in-process X sandbox over HTTP.
"""

import datetime as dt
import os
import signal
import time

import pytest
import requests
from django import db
from django.utils import timezone

from posts import services
from posts.models import Post, PostChannel
from tests.conftest import PNG_BYTES, sandbox_account, sandbox_control, upload

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
State = PostChannel.State


@pytest.fixture
def sandbox(x_sandbox, settings):
    settings.PUBLISH_RECONCILE_DELAY_SECONDS = 0.2
    settings.DISPATCHER_POLL_SECONDS = 0.1
    return x_sandbox


def control(sb, route, **body):
    return sandbox_control(sb.url, route, **body)


@pytest.fixture
def x_account(sandbox, alice):
    """alice's X account in the sandbox, connected with OAuth 2.0 user tokens."""
    return sandbox_account(sandbox.url, alice, "alice_x")


@pytest.fixture
def start_cluster(monkeypatch):
    """Start real django-q2 clusters (several act like several machines); all stop after the test."""
    from django_q.brokers import get_broker
    from django_q.cluster import Cluster
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "POLL", 0.05)
    monkeypatch.setattr(Conf, "SCHEDULER", False)
    clusters = []
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)

    def _start(workers: int = 2) -> Cluster:
        monkeypatch.setattr(Conf, "WORKERS", workers)
        db.connections.close_all()  # the forked processes must not share our connection
        cluster = Cluster(get_broker())
        cluster.start()
        clusters.append(cluster)
        return cluster

    yield _start
    for cluster in clusters:
        if cluster.sentinel and cluster.sentinel.is_alive():
            cluster.stop()
    signal.signal(signal.SIGINT, handlers[0])
    signal.signal(signal.SIGTERM, handlers[1])


def wait_for(condition, timeout=20.0, every=0.05):
    stop = time.monotonic() + timeout
    while time.monotonic() < stop:
        if result := condition():
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {condition.__name__}")


def tweets(sb):
    return [t for t in sb.state.tweets.values() if not t.deleted]


def status_of(post):
    return Post.objects.values_list("status", flat=True).get(pk=post.pk)


def settled(post):
    def post_settled():
        return status_of(post) in (Post.Status.PUBLISHED, Post.Status.FAILED)

    wait_for(post_settled)
    return status_of(post)


def new_post(rita, task, account, **fields):
    fields = {"content": "Spring is here", "hashtags": ["spring"], **fields}
    return services.create_post(author=rita, task=task, account_ids=[account.pk], **fields)


def test_an_approved_post_with_an_image_arrives_on_x_once(sandbox, x_account, alice, rita, task, start_cluster):
    start_cluster()
    post = new_post(
        rita, task, x_account, media_files=[upload("photo.png", PNG_BYTES, "image/png")], alt_texts=["A tulip"]
    )
    services.review_post(actor=alice, post=post, action=1)

    assert settled(post) == Post.Status.PUBLISHED
    [tweet] = tweets(sandbox)
    assert tweet.text == "Spring is here\n\n#spring"
    assert len(tweet.media_ids) == 1
    media = sandbox.state.media[tweet.media_ids[0]]
    assert media.alt_text == "A tulip"
    channel = PostChannel.objects.get(post=post)
    assert channel.remote_id == tweet.id
    assert channel.media_ids == tweet.media_ids


def test_a_task_delivered_twice_and_two_clusters_racing_post_once(sandbox, x_account, alice, rita, task, start_cluster):
    from django_q.tasks import async_task

    control(sandbox, "faults", tweet_delay_ms=300)  # a slow X widens the race
    start_cluster(workers=3)
    start_cluster(workers=3)  # a second "machine"
    post = new_post(rita, task, x_account)
    services.review_post(actor=alice, post=post, action=1)  # enqueues once
    for _ in range(5):  # ... and the queue hands it out five more times
        async_task("posts.tasks.publish", post.pk)

    assert settled(post) == Post.Status.PUBLISHED
    time.sleep(1)  # let every copy of the task finish
    assert len(tweets(sandbox)) == 1
    assert requests.get(f"{sandbox.url}/_sandbox/stats", timeout=5).json()["requests_by_path"]["POST /2/tweets"] == 1


def test_a_lost_answer_ends_with_exactly_one_tweet_and_the_post_published(
    sandbox, x_account, alice, rita, task, start_cluster
):
    control(sandbox, "faults/next", path="/2/tweets", lose_answer=True)
    start_cluster()
    post = new_post(rita, task, x_account)
    services.review_post(actor=alice, post=post, action=1)

    assert settled(post) == Post.Status.PUBLISHED
    [tweet] = tweets(sandbox)
    assert PostChannel.objects.get(post=post).remote_id == tweet.id


def test_scheduled_posts_are_published_within_two_seconds_of_their_time(
    sandbox, x_account, alice, rita, task, start_cluster, dispatching
):
    start_cluster(workers=3)
    start = timezone.now() + dt.timedelta(seconds=3)
    posts = []
    for i in range(6):
        post = new_post(rita, task, x_account, content=f"Scheduled {i}", schedule_at=start + dt.timedelta(seconds=i * 0.7))
        services.review_post(actor=alice, post=post, action=1)
        posts.append(post)

    for post in posts:
        assert settled(post) == Post.Status.PUBLISHED
    by_text = {t.text.split("\n")[0]: t for t in tweets(sandbox)}
    lateness = sorted(
        by_text[p.content].created_at - p.schedule_at.timestamp() for p in Post.objects.filter(pk__in=[p.pk for p in posts])
    )
    assert len(lateness) == 6
    assert lateness[0] >= 0  # never early
    assert lateness[-1] < 2.0, lateness


def test_a_worker_killed_mid_send_is_recovered_without_a_second_tweet(
    sandbox, x_account, alice, rita, task, start_cluster, dispatching, settings
):
    settings.PUBLISH_LEASE_SECONDS = 2
    control(sandbox, "faults", tweet_delay_ms=1500)
    doomed = start_cluster(workers=1)
    post = new_post(rita, task, x_account)
    services.review_post(actor=alice, post=post, action=1)

    def sending():
        return PostChannel.objects.filter(post=post, state=State.SENDING).exists()

    wait_for(sending)
    time.sleep(0.3)  # the POST is in flight at X
    for pid in _children(doomed.sentinel.pid) + [doomed.sentinel.pid]:
        os.kill(pid, signal.SIGKILL)  # the machine dies: no cleanup, no acknowledgement
    doomed.sentinel.join()

    start_cluster()
    assert settled(post) == Post.Status.PUBLISHED
    [tweet] = tweets(sandbox)  # X did create it; nobody sent it again
    assert PostChannel.objects.get(post=post).remote_id == tweet.id


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


def test_an_approved_thread_arrives_as_a_reply_chain_even_after_a_503_at_part_2(
    sandbox, x_account, alice, rita, task, start_cluster, dispatching, settings
):
    settings.PUBLISH_RETRY_BASE_SECONDS = 0.5
    control(sandbox, "faults/next", path="/2/tweets", method="POST", status=503, after=1)
    start_cluster()  # the dispatcher picks the thread up again when its retry is due
    texts = ["1/3 Spring is here", "2/3 The tulips are out", "3/3 Come and see them"]
    post = services.create_post(
        author=rita, task=task, hashtags=["spring"], account_ids=[x_account.pk], parts=[{"content": t} for t in texts]
    )
    services.review_post(actor=alice, post=post, action=1)

    assert settled(post) == Post.Status.PUBLISHED
    chain = sorted(tweets(sandbox), key=lambda t: int(t.id))
    assert [t.text for t in chain] == [texts[0] + "\n\n#spring", texts[1], texts[2]]
    assert [t.reply_to for t in chain] == [None, chain[0].id, chain[1].id]
    channel = PostChannel.objects.get(post=post)
    assert [channel.remote_id, *channel.parts.values_list("remote_id", flat=True)] == [t.id for t in chain]
