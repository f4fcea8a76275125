"""Publishing an approved post to X: once, with its hashtags, and a status that tells the truth.
X is mocked at the HTTP boundary with `responses`."""

import datetime as dt
import json
import time

import pytest
import requests
import responses
from django.utils import timezone

from platforms.x.publisher import APP_ONLY_MESSAGE
from posts import publishing, tasks
from posts.models import Post, PostChannel
from socials.error_kinds import TOO_LONG
from socials.models import Account
from tests.conftest import X_API, make_account

API = X_API
TWEETS = f"{API}/2/tweets"
State = PostChannel.State


pytestmark = pytest.mark.usefixtures("x_api")


def tweet_created(x, tweet_id="1900000000000000001"):
    def answer(request):
        text = json.loads(request.body).get("text", "")
        return 201, {}, json.dumps({"data": {"id": tweet_id, "text": text}})

    x.add_callback(responses.POST, TWEETS, callback=answer)


def timeline(x, alice_account, *tweets):
    x.get(f"{API}/2/users/{alice_account.provider_account_id}/tweets", json={"data": list(tweets)})


def posts_sent(x):
    return [json.loads(c.request.body) for c in x.calls if c.request.method == "POST" and c.request.url == TWEETS]


def channel_of(post) -> PostChannel:
    return PostChannel.objects.get(post=post)


def test_approved_post_is_published_once_with_its_hashtags(approved, x, alice_account):
    post = approved(content="Spring is here", hashtags=["#spring", "Spring", "sale"])
    tweet_created(x, "1900000000000000042")

    tasks.publish(post.pk)

    assert posts_sent(x) == [{"text": "Spring is here\n\n#spring #sale"}]
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED == 3
    assert post.published_at is not None
    channel = channel_of(post)
    assert channel.state == State.PUBLISHED
    assert channel.remote_id == "1900000000000000042"
    assert channel.remote_url == "https://x.com/alice_x/status/1900000000000000042"
    assert channel.sent_text == "Spring is here\n\n#spring #sale"


def test_a_task_delivered_twice_posts_once(approved, x):
    post = approved()
    tweet_created(x)

    tasks.publish(post.pk)
    tasks.publish(post.pk)

    assert len(posts_sent(x)) == 1
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_a_post_not_yet_approved_is_not_published(make_post, x):
    post = make_post()
    tasks.publish(post.pk)
    assert posts_sent(x) == []
    assert Post.objects.get(pk=post.pk).status == Post.Status.PENDING


def test_a_scheduled_post_is_not_published_before_its_time(approved, x):
    post = approved(schedule_at=timezone.now() + dt.timedelta(minutes=5))
    tasks.publish(post.pk)
    assert posts_sent(x) == []
    assert Post.objects.get(pk=post.pk).status == Post.Status.APPROVED


def test_publishing_one_channel_takes_few_queries(approved, x, django_assert_max_num_queries):
    post = approved()
    tweet_created(x)
    with django_assert_max_num_queries(12):  # 6 today (notifications run after commit, not counted here)
        publishing.publish_post(post_id=post.pk)
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_bearer_only_account_fails_with_the_seeds_message_and_sends_nothing(approved, x, alice):
    post = approved()
    # The account lost its user tokens after approval: only the app's bearer token is left.
    Account.objects.filter(pk=channel_of(post).account_id).update(
        token_type=Account.TokenType.BEARER, access_token="app-bearer"
    )

    tasks.publish(post.pk)

    assert len(x.calls) == 0
    post.refresh_from_db()
    assert post.status == Post.Status.FAILED == 4
    channel = channel_of(post)
    assert (channel.state, channel.error_kind) == (State.FAILED, "app_only")
    assert channel.last_error == APP_ONLY_MESSAGE


def test_x_refusing_the_token_fails_the_post_with_reconnect_your_account(approved, x, alice_account):
    post = approved()
    alice_account.oauth2_refresh_token = ""
    alice_account.save()
    x.post(TWEETS, status=401, json={"title": "Unauthorized", "detail": "Unauthorized", "status": 401})

    tasks.publish(post.pk)

    post.refresh_from_db()
    assert post.status == Post.Status.FAILED
    assert channel_of(post).last_error == "Reconnect your X account"
    alice_account.refresh_from_db()
    assert alice_account.state == Account.State.RECONNECT_NEEDED


def test_a_rate_limited_post_waits_for_the_reset_and_stays_processing(approved, x):
    post = approved()
    reset = int(time.time()) + 600
    x.post(TWEETS, status=429, json={"title": "Too Many Requests", "status": 429},
           headers={"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})

    tasks.publish(post.pk)

    post.refresh_from_db()
    assert post.status == Post.Status.PROCESSING == 2
    channel = channel_of(post)
    assert channel.state == State.RETRY
    assert channel.next_attempt_at >= dt.datetime.fromtimestamp(reset, tz=dt.UTC)
    assert channel.last_error.startswith("Wait until")

    tasks.publish(post.pk)  # delivered again before the reset: nothing is sent
    assert len(posts_sent(x)) == 1


def test_server_errors_are_retried_with_backoff_until_attempts_run_out(approved, x, settings):
    settings.PUBLISH_MAX_ATTEMPTS = 3
    post = approved()
    x.post(TWEETS, status=503, json={"title": "Service Unavailable", "status": 503})
    delays = []
    for attempt in range(3):
        before = timezone.now()
        tasks.publish(post.pk)
        channel = channel_of(post)
        if attempt < 2:
            assert channel.state == State.RETRY
            assert Post.objects.get(pk=post.pk).status == Post.Status.PROCESSING
            delays.append((channel.next_attempt_at - before).total_seconds())
            channel.next_attempt_at = timezone.now()  # let time pass
            channel.save()
    assert len(posts_sent(x)) == 3
    assert delays[1] > delays[0] > 20  # 30 s, then 60 s
    post.refresh_from_db()
    assert post.status == Post.Status.FAILED
    assert channel_of(post).last_error == "X is having problems: try again in a few minutes"


def test_a_lost_answer_is_reconciled_from_the_timeline_and_never_sent_again(approved, x, alice_account):
    post = approved(content="Launch day", hashtags=[])
    x.post(TWEETS, body=requests.exceptions.ReadTimeout("read timed out"))
    timeline(x, alice_account, {"id": "1900000000000000077", "text": "Launch day",
                                "created_at": timezone.now().isoformat()})

    tasks.publish(post.pk)
    tasks.publish(post.pk)

    assert len(posts_sent(x)) == 1
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert channel_of(post).remote_id == "1900000000000000077"


def test_a_lost_answer_with_no_tweet_on_x_is_retried(approved, x, alice_account):
    post = approved(content="Launch day", hashtags=[])
    x.post(TWEETS, body=requests.exceptions.ReadTimeout("read timed out"))
    timeline(x, alice_account, {"id": "5", "text": "Something else", "created_at": timezone.now().isoformat()})

    tasks.publish(post.pk)

    channel = channel_of(post)
    assert channel.state == State.RETRY  # absent on X: safe to send again, after a backoff
    assert Post.objects.get(pk=post.pk).status == Post.Status.PROCESSING


def test_an_unanswerable_reconcile_leaves_the_outcome_unknown_and_sends_nothing_more(approved, x, alice_account):
    post = approved(content="Launch day", hashtags=[])
    x.post(TWEETS, body=requests.exceptions.ReadTimeout("read timed out"))
    x.get(f"{API}/2/users/{alice_account.provider_account_id}/tweets", status=503, json={"status": 503})

    tasks.publish(post.pk)
    channel = channel_of(post)
    assert channel.state == State.UNKNOWN
    channel.next_attempt_at = timezone.now()
    channel.save()
    tasks.publish(post.pk)  # the next attempt reads X again; X still silent: still nothing sent

    assert len(posts_sent(x)) == 1
    assert channel_of(post).state == State.UNKNOWN


def test_a_duplicate_answer_for_our_own_tweet_marks_it_published(approved, x, alice_account):
    post = approved(content="Launch day", hashtags=[])
    x.post(TWEETS, status=403, json={"title": "Forbidden", "status": 403,
                                     "detail": "You are not allowed to create a Tweet with duplicate content."})
    timeline(x, alice_account, {"id": "1900000000000000099", "text": "Launch day",
                                "created_at": timezone.now().isoformat()})

    tasks.publish(post.pk)

    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert channel_of(post).remote_id == "1900000000000000099"


def test_a_duplicate_of_an_older_tweet_fails_asking_to_change_the_text(approved, x, alice_account):
    post = approved(content="Launch day", hashtags=[])
    x.post(TWEETS, status=403, json={"title": "Forbidden", "status": 403,
                                     "detail": "You are not allowed to create a Tweet with duplicate content."})
    old = (timezone.now() - dt.timedelta(days=3)).isoformat()
    timeline(x, alice_account, {"id": "17", "text": "Launch day", "created_at": old})

    tasks.publish(post.pk)

    post.refresh_from_db()
    assert post.status == Post.Status.FAILED
    assert channel_of(post).last_error == "X already has this exact text: change it"


def test_a_worker_killed_mid_send_is_reconciled_after_its_lease(approved, x, alice_account, settings):
    post = approved(content="Launch day", hashtags=[])
    stale = timezone.now() - dt.timedelta(seconds=settings.PUBLISH_LEASE_SECONDS + 1)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PROCESSING)
    post.channels.update(state=State.SENDING, claimed_at=stale, first_attempt_at=stale, attempts=1)
    timeline(x, alice_account, {"id": "1900000000000000123", "text": "Launch day",
                                "created_at": timezone.now().isoformat()})

    tasks.publish(post.pk)

    assert posts_sent(x) == []
    assert channel_of(post).remote_id == "1900000000000000123"
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_a_live_workers_channel_is_left_alone(approved, x):
    post = approved()
    post.channels.update(state=State.SENDING, claimed_at=timezone.now())
    tasks.publish(post.pk)
    assert len(x.calls) == 0
    assert channel_of(post).state == State.SENDING


def test_a_post_with_one_failed_channel_fails_only_when_the_others_are_done(approved, x, alice, alice_account):
    second = make_account(alice, "alice_shop")
    post = approved(account_ids=[alice_account.pk, second.pk])
    post.channels.filter(account=second).update(state=State.RETRY, next_attempt_at=timezone.now() + dt.timedelta(hours=1))
    alice_account.oauth2_refresh_token = ""
    alice_account.save()
    x.post(TWEETS, status=401, json={"title": "Unauthorized", "status": 401})

    tasks.publish(post.pk)
    assert Post.objects.get(pk=post.pk).status == Post.Status.PROCESSING

    tweet_created(x)
    post.channels.filter(account=second).update(next_attempt_at=timezone.now())
    Account.objects.filter(pk=second.pk).update(state=Account.State.CONNECTED)
    x.replace(responses.POST, TWEETS, json={"data": {"id": "8", "text": "x"}}, status=201)
    tasks.publish(post.pk)
    assert Post.objects.get(pk=post.pk).status == Post.Status.FAILED
    assert post.channels.get(account=second).state == State.PUBLISHED


def test_an_over_long_text_fails_with_the_seeds_message(approved, x):
    post = approved(content="a" * 270, hashtags=[])
    Post.objects.filter(pk=post.pk).update(hashtags=["toolongnow"])  # e.g. edited behind the services' back

    tasks.publish(post.pk)

    assert posts_sent(x) == []
    assert channel_of(post).last_error == TOO_LONG
    assert Post.objects.get(pk=post.pk).status == Post.Status.FAILED


def test_the_published_notification_shows_each_channels_tweet_and_no_old_error(
    approved, x, alice_account, rita, django_capture_on_commit_callbacks
):
    from notifications.models import PendingNotification

    post = approved(content="Second try")
    post.channels.update(state=State.RETRY, last_error="X is busy: try again", error_kind="server",
                         next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    tweet_created(x, "1900000000000000077")

    with django_capture_on_commit_callbacks(execute=True):
        tasks.publish(post.pk)

    item = PendingNotification.objects.get(recipient=rita, kind="post_published")
    [channel] = item.payload["channels"]
    assert channel["state"] == "published"
    assert channel["url"].endswith("/status/1900000000000000077")
    assert channel["error"] == ""
