"""The app against the X sandbox speaking real X: a lost answer for a post X stored escaped, with
t.co links and (Premium) cut to note_tweet is found; spent credits, daily caps and failed media
processing reach the post in X's words. (tests/posts/test_publish_x_answers.py feeds the same
answers through `responses`.)"""

import datetime as dt

import pytest
import requests
from django.utils import timezone

from platforms.x.publisher import XPublisher
from posts import publishing, services
from posts.models import Post, PostChannel
from tests.conftest import PNG_BYTES, sandbox_account, sandbox_control, upload

pytestmark = pytest.mark.e2e
State = PostChannel.State


@pytest.fixture
def sandbox(x_sandbox, settings):
    settings.PUBLISH_RECONCILE_DELAY_SECONDS = 0
    return x_sandbox


def control(sb, route, **body):
    return sandbox_control(sb.url, route, **body)


def post_directly(sb, x_user, text) -> str:
    """A tweet X created while its answer to us was lost."""
    answer = requests.post(f"{sb.url}/2/tweets", json={"text": text},
                           headers={"Authorization": f"Bearer {x_user['oauth2']['access_token']}"}, timeout=5)
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]["id"]


def test_a_premium_accounts_long_post_with_escapes_and_links_is_found_as_x_stored_it(sandbox, alice):
    x_user = control(sandbox, "users", username="alice_x", subscription_type="Premium")
    account = sandbox_account(sandbox.url, alice, "alice_x", x_user)
    since = timezone.now()
    text = "Fish & chips <3 at example.com/menu, see https://www.example.org/a?b=1 " + "and more " * 60
    text = text.strip()
    tweet_id = post_directly(sandbox, x_user, text)

    found = XPublisher().find(account, text=text, since=since)

    assert found and found.remote_id == tweet_id


def test_spent_credits_fail_the_post_and_a_retry_after_topping_up_publishes(sandbox, make_post, alice, settings):
    x_user = control(sandbox, "users", username="alice_x")
    account = sandbox_account(sandbox.url, alice, "alice_x", x_user)
    post = make_post(account_ids=[account.pk])
    services.review_post(actor=alice, post=post, action=1)
    control(sandbox, "faults", credits_depleted=True)

    publishing.publish_post(post_id=post.pk)

    channel = PostChannel.objects.get(post=post)
    assert (channel.state, channel.error_kind) == (State.FAILED, "credits_depleted")
    assert "add credits to the X app" in channel.last_error
    control(sandbox, "faults", credits_depleted=False)
    services.retry_post(actor=alice, post=Post.objects.get(pk=post.pk))
    publishing.publish_post(post_id=post.pk)
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_a_spent_daily_cap_waits_until_x_says(sandbox, make_post, alice, settings):
    settings.PUBLISH_DEADLINE_SECONDS = 48 * 3600
    x_user = control(sandbox, "users", username="alice_x")
    account = sandbox_account(sandbox.url, alice, "alice_x", x_user)
    control(sandbox, "faults", tweet_user_daily_limit=0)
    post = make_post(account_ids=[account.pk])
    services.review_post(actor=alice, post=post, action=1)

    publishing.publish_post(post_id=post.pk)

    channel = PostChannel.objects.get(post=post)
    assert channel.state == State.RETRY
    assert channel.last_error.startswith("Wait until ")
    assert channel.last_error.endswith("X's 24-hour limit on posts is reached")
    assert channel.next_attempt_at > timezone.now() + dt.timedelta(hours=1)


def test_media_x_fails_to_process_fails_the_post_with_xs_reason(sandbox, make_post, alice):
    x_user = control(sandbox, "users", username="alice_x")
    account = sandbox_account(sandbox.url, alice, "alice_x", x_user)
    control(sandbox, "faults", media_processing_fails=True)
    post = make_post(account_ids=[account.pk], media_files=[upload("a.png", PNG_BYTES, "image/png")])
    services.review_post(actor=alice, post=post, action=1)

    publishing.publish_post(post_id=post.pk)

    channel = PostChannel.objects.get(post=post)
    assert (channel.state, channel.error_kind) == (State.FAILED, "media")
    assert channel.last_error.startswith("X rejected the media: ")
    assert channel.last_error != "X rejected the media: X could not process the media"
