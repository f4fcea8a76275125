"""Media is uploaded per account with X's chunked upload, remembered on the channel, and uploaded
again only when X would have forgotten it."""

import datetime as dt
import json
import re

import pytest
import responses
from django.utils import timezone

from posts import services, tasks
from posts.models import Post, PostChannel
from tests.conftest import GIF_BYTES, PNG_BYTES, X_API, upload

API = X_API
TWEETS = f"{API}/2/tweets"


pytestmark = pytest.mark.usefixtures("x_api")


@pytest.fixture
def x():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        ids = iter(range(1000, 2000))

        def initialize(request):
            # X's docs: 1,295,999 s at initialize, 86,400 s at finalize; the latter is what counts.
            return 200, {}, json.dumps({"data": {"id": str(next(ids)), "expires_after_secs": 1295999}})

        mock.add_callback(responses.POST, f"{API}/2/media/upload/initialize", callback=initialize)
        mock.post(re.compile(rf"{API}/2/media/upload/\d+/append"), json={})
        mock.post(re.compile(rf"{API}/2/media/upload/\d+/finalize"),
                  json={"data": {"id": "0", "expires_after_secs": 86400,
                                 "processing_info": {"state": "pending", "check_after_secs": 0.01}}})
        mock.get(f"{API}/2/media/upload", json={"data": {"processing_info": {"state": "succeeded"}}})
        mock.post(f"{API}/2/media/metadata", json={})
        yield mock


def calls(x, path):
    return [c for c in x.calls if c.request.url.split("?")[0] == f"{API}{path}"]


def approve(make_post, alice, **fields):
    post = make_post(**fields)
    services.review_post(actor=alice, post=post, action=1)
    return post


def test_images_are_uploaded_with_alt_text_and_attached_to_the_tweet(make_post, alice, x):
    x.post(TWEETS, status=201, json={"data": {"id": "77", "text": "t"}})
    post = approve(
        make_post, alice,
        media_files=[upload("a.png", PNG_BYTES, "image/png"), upload("b.png", PNG_BYTES, "image/png")],
        alt_texts=["First", ""],
    )

    tasks.publish(post.pk)

    init = [json.loads(c.request.body) for c in calls(x, "/2/media/upload/initialize")]
    assert init == [{"media_type": "image/png", "total_bytes": len(PNG_BYTES), "media_category": "tweet_image"}] * 2
    assert [json.loads(c.request.body) for c in calls(x, "/2/media/metadata")] == [
        {"id": "1000", "metadata": {"alt_text": {"text": "First"}}}
    ]
    assert json.loads(calls(x, "/2/tweets")[0].request.body)["media"] == {"media_ids": ["1000", "1001"]}
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_a_gif_waits_for_x_to_process_it(make_post, alice, x):
    x.post(TWEETS, status=201, json={"data": {"id": "77", "text": "t"}})
    post = approve(make_post, alice, media_files=[upload("a.gif", GIF_BYTES, "image/gif")])
    tasks.publish(post.pk)
    assert json.loads(calls(x, "/2/media/upload/initialize")[0].request.body)["media_category"] == "tweet_gif"
    assert len(calls(x, "/2/media/upload")) == 1  # one STATUS poll until "succeeded"
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_a_retry_reuses_uploaded_media_while_x_keeps_it(make_post, alice, x):
    x.post(TWEETS, status=503, json={"title": "Service Unavailable", "status": 503})
    post = approve(make_post, alice, media_files=[upload("a.png", PNG_BYTES, "image/png")])
    tasks.publish(post.pk)
    channel = PostChannel.objects.get(post=post)
    assert channel.media_ids == ["1000"]
    assert channel.media_expires_at > timezone.now() + dt.timedelta(hours=23)

    PostChannel.objects.filter(pk=channel.pk).update(next_attempt_at=timezone.now())
    x.replace(responses.POST, TWEETS, status=201, json={"data": {"id": "78", "text": "t"}})
    tasks.publish(post.pk)

    assert len(calls(x, "/2/media/upload/initialize")) == 1
    assert json.loads(calls(x, "/2/tweets")[-1].request.body)["media"] == {"media_ids": ["1000"]}


def test_media_x_has_forgotten_is_uploaded_again(make_post, alice, x):
    x.post(TWEETS, status=201, json={"data": {"id": "78", "text": "t"}})
    post = approve(make_post, alice, media_files=[upload("a.png", PNG_BYTES, "image/png")])
    PostChannel.objects.filter(post=post).update(
        state="retry", media_ids=["555"], media_expires_at=timezone.now() + dt.timedelta(minutes=2)
    )
    tasks.publish(post.pk)
    assert json.loads(calls(x, "/2/tweets")[0].request.body)["media"] == {"media_ids": ["1000"]}
