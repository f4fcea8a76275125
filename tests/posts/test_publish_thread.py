"""Publishing a thread, with X mocked at the HTTP boundary: each part a reply to the one before,
each part's tweet recorded before the next is sent. (The reply chain in the X sandbox, and every
interruption, are in test_publish_thread_sandbox.py.)"""

import json
import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses

from posts import publishing, services
from posts.models import ChannelPart, Post, PostChannel
from tests.conftest import X_API, in_turn

API = X_API
TWEETS = f"{API}/2/tweets"
State = PostChannel.State


pytestmark = pytest.mark.usefixtures("x_api")


@pytest.fixture
def approved_thread(make_post, alice):
    def _make(*texts):
        post = make_post(content="", parts=[{"content": t} for t in texts])
        services.review_post(actor=alice, post=post, action=1)
        return post

    return _make


def numbered_tweets(x, first_id=100):
    """X answers each POST with the next id."""
    ids = iter(range(first_id, first_id + 100))

    def answer(request):
        return 201, {}, json.dumps({"data": {"id": str(next(ids)), "text": json.loads(request.body)["text"]}})

    x.add_callback(responses.POST, TWEETS, callback=answer)


def bodies(x):
    return [json.loads(c.request.body) for c in x.calls if c.request.method == "POST" and c.request.url == TWEETS]


def test_a_thread_is_sent_part_by_part_each_replying_to_the_one_before(approved_thread, x, alice_account):
    post = approved_thread("One", "Two", "Three")
    numbered_tweets(x)

    publishing.publish_post(post_id=post.pk)

    assert bodies(x) == [
        {"text": "One\n\n#spring"},  # hashtags on part 1 only
        {"text": "Two", "reply": {"in_reply_to_tweet_id": "100"}},
        {"text": "Three", "reply": {"in_reply_to_tweet_id": "101"}},
    ]
    channel = PostChannel.objects.get(post=post)
    assert (channel.state, channel.remote_id) == (State.PUBLISHED, "100")
    assert channel.remote_url == "https://x.com/alice_x/status/100"
    assert [(p.part.position, p.remote_id, p.in_reply_to, p.sent_text) for p in channel.parts.all()] == [
        (2, "101", "100", "Two"),
        (3, "102", "101", "Three"),
    ]
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_a_rate_limit_at_part_3_keeps_parts_1_and_2_and_waits_for_the_reset(approved_thread, x):
    post = approved_thread("One", "Two", "Three")
    reset = int(time.time()) + 600
    answers = iter([
        (201, {}, json.dumps({"data": {"id": "100", "text": "One"}})),
        (201, {}, json.dumps({"data": {"id": "101", "text": "Two"}})),
        (429, {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)}, json.dumps({"title": "Too Many Requests"})),
    ])
    x.add_callback(responses.POST, TWEETS, callback=lambda request: next(answers))

    publishing.publish_post(post_id=post.pk)

    channel = PostChannel.objects.get(post=post)
    assert channel.state == State.RETRY
    assert channel.remote_id == "100"
    assert [p.remote_id for p in channel.parts.all()] == ["101", ""]
    assert channel.next_attempt_at.timestamp() >= reset
    assert channel.last_error.startswith("Part 3: Wait until")
    assert Post.objects.get(pk=post.pk).status == Post.Status.PROCESSING


def test_a_lost_part_is_looked_for_among_the_replies_to_the_part_before(approved_thread, x, alice_account):
    post = approved_thread("One", "Two")
    x.add_callback(responses.POST, TWEETS, callback=in_turn(
        (201, {}, json.dumps({"data": {"id": "100", "text": "One"}})), requests.exceptions.ReadTimeout()))
    timeline = x.get(f"{API}/2/users/{alice_account.provider_account_id}/tweets", json={"data": [
        {"id": "101", "text": "Two", "referenced_tweets": [{"type": "replied_to", "id": "100"}]},
        {"id": "99", "text": "Two", "referenced_tweets": [{"type": "replied_to", "id": "42"}]},
    ]})

    publishing.publish_post(post_id=post.pk)

    assert len(bodies(x)) == 2  # the lost part is not sent again
    assert ChannelPart.objects.get(part__position=2).remote_id == "101"
    asked = parse_qs(urlparse(timeline.calls[0].request.url).query)
    assert "referenced_tweets" in asked["tweet.fields"][0]
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_a_lost_part_answering_another_tweet_is_not_taken_for_ours(approved_thread, x, alice_account):
    post = approved_thread("One", "Two")
    x.add_callback(responses.POST, TWEETS, callback=in_turn(
        (201, {}, json.dumps({"data": {"id": "100", "text": "One"}})),
        requests.exceptions.ReadTimeout(),
        (201, {}, json.dumps({"data": {"id": "102", "text": "Two"}})),
    ))
    x.get(f"{API}/2/users/{alice_account.provider_account_id}/tweets", json={"data": [
        {"id": "99", "text": "Two", "referenced_tweets": [{"type": "replied_to", "id": "42"}]},
    ]})

    publishing.publish_post(post_id=post.pk)  # not found: a retry is safe
    assert PostChannel.objects.get(post=post).state == State.RETRY
    PostChannel.objects.filter(post=post).update(next_attempt_at=None)
    publishing.publish_post(post_id=post.pk)

    assert [b.get("reply") for b in bodies(x)] == [None, {"in_reply_to_tweet_id": "100"}, {"in_reply_to_tweet_id": "100"}]
    assert ChannelPart.objects.get(part__position=2).remote_id == "102"


def test_publishing_a_thread_keeps_the_single_post_query_budget_per_part(
    approved_thread, x, django_assert_max_num_queries
):
    post = approved_thread("One", "Two", "Three")
    numbered_tweets(x)
    with django_assert_max_num_queries(12 + 2 * 4):  # a single post's budget, plus a few per later part
        publishing.publish_post(post_id=post.pk)
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED
