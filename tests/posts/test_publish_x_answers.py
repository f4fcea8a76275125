"""The publishing pipeline against X's real answers: a lost answer for text X stores differently is
still found, a duplicate after an unknown outcome never fails a live post, daily caps wait without
spending attempts, credits and summoning say what to do. X is mocked at the HTTP boundary."""

import datetime as dt
import json
import time

import pytest
import requests
import responses
from django.core.exceptions import ValidationError
from django.utils import timezone

from posts import publishing, services
from posts.models import Post, PostChannel
from tests.conftest import X_API, in_turn

API = X_API
TWEETS = f"{API}/2/tweets"
State = PostChannel.State
DUPLICATE = {"title": "Forbidden", "status": 403, "type": "about:blank",
             "detail": "You are not allowed to create a Tweet with duplicate content."}


pytestmark = pytest.mark.usefixtures("x_api")


def channel_of(post) -> PostChannel:
    return PostChannel.objects.get(post=post)


def posts_sent(x):
    return [json.loads(c.request.body) for c in x.calls if c.request.method == "POST" and c.request.url == TWEETS]


def due_again(post) -> None:
    PostChannel.objects.filter(post=post).update(next_attempt_at=timezone.now())


def now_iso() -> str:
    return timezone.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_a_lost_answer_for_escaped_text_with_a_bare_domain_is_found_and_never_sent_again(approved, x, alice_account):
    post = approved(content="Tom & Jerry <3 at example.com", hashtags=[])
    x.post(TWEETS, body=requests.exceptions.ReadTimeout("read timed out"))
    x.get(f"{API}/2/users/{alice_account.provider_account_id}/tweets", json={"data": [{
        "id": "1900000000000000077", "created_at": now_iso(),
        "text": "Tom &amp; Jerry &lt;3 at https://t.co/Ex4mpLe001",
        "entities": {"urls": [{"start": 25, "end": 48, "url": "https://t.co/Ex4mpLe001",
                               "expanded_url": "http://example.com", "display_url": "example.com"}]},
    }], "meta": {"result_count": 1}})

    publishing.publish_post(post_id=post.pk)
    publishing.publish_post(post_id=post.pk)

    assert len(posts_sent(x)) == 1
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED
    assert channel_of(post).remote_id == "1900000000000000077"


def test_a_duplicate_to_the_retry_of_an_unknown_outcome_is_not_a_failure_while_x_cannot_be_read(
    approved, x, alice_account
):
    post = approved(content="Launch day", hashtags=[])
    x.add_callback(responses.POST, TWEETS, callback=in_turn(
        requests.exceptions.ReadTimeout("read timed out"), (403, {}, json.dumps(DUPLICATE))))
    timeline_url = f"{API}/2/users/{alice_account.provider_account_id}/tweets"
    x.get(timeline_url, json={"meta": {"result_count": 0}})  # the first lookup: not there (yet)

    publishing.publish_post(post_id=post.pk)  # lost answer, lookup finds nothing: retry later
    assert channel_of(post).state == State.RETRY
    x.replace(responses.GET, timeline_url, status=503, json={"title": "Service Unavailable"})
    due_again(post)
    publishing.publish_post(post_id=post.pk)  # the retry: "duplicate", and X cannot be read

    channel = channel_of(post)
    assert channel.state == State.UNKNOWN
    assert Post.objects.get(pk=post.pk).status == Post.Status.PROCESSING
    assert "already has this exact text" not in channel.last_error


def test_a_duplicate_to_the_retry_of_an_unknown_outcome_is_settled_by_the_lookup(approved, x, alice_account):
    post = approved(content="Launch day", hashtags=[])
    channel = channel_of(post)
    PostChannel.objects.filter(pk=channel.pk).update(
        state=State.UNKNOWN, error_kind=publishing.UNRESOLVED, first_attempt_at=timezone.now())
    x.post(TWEETS, status=403, json=DUPLICATE)
    timeline_url = f"{API}/2/users/{alice_account.provider_account_id}/tweets"
    # X's timeline lags: the reconcile before the send misses the tweet, the one after finds it.
    x.get(timeline_url, json={"meta": {"result_count": 0}})
    x.get(timeline_url, json={"data": [{"id": "77", "text": "Launch day", "created_at": now_iso()}],
                              "meta": {"result_count": 1}})

    publishing.publish_post(post_id=post.pk)

    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED
    assert channel_of(post).remote_id == "77"


def test_a_daily_cap_waits_until_its_reset_and_spends_no_attempt(approved, x, settings):
    settings.PUBLISH_MAX_ATTEMPTS = 1
    settings.PUBLISH_DEADLINE_SECONDS = 24 * 3600
    post = approved()
    now = int(time.time())
    daily_reset = now + 5 * 3600
    x.post(TWEETS, status=429, json={"title": "Too Many Requests", "status": 429, "type": "about:blank"}, headers={
        "x-rate-limit-limit": "100", "x-rate-limit-remaining": "99", "x-rate-limit-reset": str(now + 900),
        "x-user-limit-24hour-limit": "100", "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": str(daily_reset),
    })

    publishing.publish_post(post_id=post.pk)

    channel = channel_of(post)
    assert channel.state == State.RETRY  # not failed, though the one attempt allowed is spent
    assert channel.next_attempt_at.timestamp() >= daily_reset
    reset_at = dt.datetime.fromtimestamp(daily_reset, tz=dt.UTC)
    assert channel.last_error == f"Wait until {reset_at:%Y-%m-%d %H:%M} UTC: X's 24-hour limit on posts is reached"
    publishing.publish_post(post_id=post.pk)  # delivered again in 15 minutes' time: nothing is sent
    assert len(posts_sent(x)) == 1


def test_a_daily_cap_past_the_deadline_fails_at_once_saying_until_when(approved, x):
    post = approved()
    daily_reset = int(time.time()) + 20 * 3600
    x.post(TWEETS, status=429, json={"title": "Too Many Requests", "status": 429}, headers={
        "x-app-limit-24hour-limit": "10000", "x-app-limit-24hour-remaining": "0",
        "x-app-limit-24hour-reset": str(daily_reset),
    })

    publishing.publish_post(post_id=post.pk)

    channel = channel_of(post)
    assert channel.state == State.FAILED
    assert channel.last_error.startswith("Wait until ")
    assert len(posts_sent(x)) == 1


def test_spent_credits_fail_without_retries_and_a_retry_after_topping_up_publishes(approved, x, alice):
    post = approved(content="Launch day", hashtags=[])
    x.post(TWEETS, status=402, json={
        "type": "https://api.twitter.com/2/problems/credits", "title": "CreditsDepleted",
        "detail": "Your enrolled account [1] does not have any credits to fulfill this request."})

    publishing.publish_post(post_id=post.pk)

    channel = channel_of(post)
    assert (channel.state, channel.error_kind) == (State.FAILED, "credits_depleted")
    assert "add credits to the X app" in channel.last_error
    assert Post.objects.get(pk=post.pk).status == Post.Status.FAILED

    x.replace(responses.POST, TWEETS, status=201, json={"data": {"id": "88", "text": "Launch day"}})
    services.retry_post(actor=alice, post=Post.objects.get(pk=post.pk))
    publishing.publish_post(post_id=post.pk)

    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED
    assert channel_of(post).remote_id == "88"
    assert len(posts_sent(x)) == 2


def test_a_reply_x_refuses_for_want_of_summoning_stops_the_thread_and_part_1_stays(make_post, alice, x):
    post = make_post(content="", parts=[{"content": "One"}, {"content": "Two"}, {"content": "Three"}])
    services.review_post(actor=alice, post=post, action=1)
    answers = iter([
        (201, {}, json.dumps({"data": {"id": "100", "text": "One"}})),
        (403, {}, json.dumps({"title": "Forbidden", "status": 403, "type": "about:blank", "detail": (
            "Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged "
            "by the author of the post you are replying to.")})),
    ])
    x.add_callback(responses.POST, TWEETS, callback=lambda request: next(answers))

    publishing.publish_post(post_id=post.pk)

    channel = channel_of(post)
    assert (channel.state, channel.remote_id, channel.error_kind) == (State.FAILED, "100", "reply_not_summoned")
    assert channel.last_error.startswith("Part 2: X refused the reply")
    assert "The thread stops here" in channel.last_error
    assert len(posts_sent(x)) == 2  # part 3 was never sent


def test_a_post_with_two_cashtags_is_refused_when_written(make_post):
    with pytest.raises(ValidationError) as caught:
        make_post(content="Watching $TSLA and $AAPL today", hashtags=[])

    assert "at most 1 cashtag" in str(caught.value.message_dict["content"])


def test_a_post_with_one_cashtag_is_accepted(make_post):
    assert make_post(content="Watching $TSLA today, up 5$", hashtags=[]).pk


def test_a_thread_part_with_two_cashtags_is_refused(make_post):
    with pytest.raises(ValidationError) as caught:
        make_post(content="", parts=[{"content": "One $TSLA"}, {"content": "Two $TSLA $AAPL"}])

    assert any("Part 2" in p and "cashtag" in p for p in caught.value.message_dict["parts"])


def test_the_post_shows_until_when_it_waits_for_xs_daily_limit(approved, x, settings):
    from posts.rows import status_html

    settings.PUBLISH_DEADLINE_SECONDS = 24 * 3600
    post = approved()
    daily_reset = int(time.time()) + 5 * 3600
    x.post(TWEETS, status=429, json={"title": "Too Many Requests", "status": 429}, headers={
        "x-user-limit-24hour-limit": "100", "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": str(daily_reset),
    })
    publishing.publish_post(post_id=post.pk)

    html = status_html(Post.objects.get(pk=post.pk))

    reset_at = dt.datetime.fromtimestamp(daily_reset, tz=dt.UTC)
    assert f"Wait until {reset_at:%Y-%m-%d %H:%M} UTC: X&#x27;s 24-hour limit on posts is reached" in html
