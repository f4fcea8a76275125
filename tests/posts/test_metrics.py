"""Public metrics of published posts, read in batches within X's rate limits."""

import datetime as dt

import responses
from django.utils import timezone
from django_q.models import Schedule

from posts.models import PostChannel
from posts import metrics
from socials.models import Account

from tests.conftest import X_APP_API as API

TWEETS_URL = f"{API}/2/tweets"


def publish(post, remote_id, **fields):
    PostChannel.objects.filter(post=post).update(**{"state": "published", "remote_id": remote_id,
                                                    "published_at": timezone.now(), **fields})
    return post.channels.get()


def x_tweets(*ids, remaining="899"):
    data = [{"id": i, "text": "t", "public_metrics": {"impression_count": 100 + int(i), "like_count": 5,
             "reply_count": 1, "retweet_count": 2, "quote_count": 3, "bookmark_count": 0}} for i in ids]
    responses.get(TWEETS_URL, json={"data": data},
                  headers={"x-rate-limit-limit": "900", "x-rate-limit-remaining": remaining,
                           "x-rate-limit-reset": "1900000000"})


@responses.activate
def test_published_posts_get_their_metrics_and_the_time_they_were_read(make_post, x_app):
    channel = publish(make_post(), "11")
    x_tweets("11")

    run = metrics.refresh_metrics()

    channel.refresh_from_db()
    assert run.updated == 1
    assert channel.metrics == {"impressions": 111, "likes": 5, "replies": 1, "reposts": 2, "quotes": 3, "bookmarks": 0}
    assert timezone.now() - channel.metrics_updated_at < dt.timedelta(minutes=1)
    request = responses.calls[0].request
    assert "ids=11" in request.url and "public_metrics" in request.url
    assert request.headers["Authorization"] == "Bearer access-alice_x"  # the account's own budget


@responses.activate
def test_ids_go_to_x_a_hundred_at_a_time(make_post, x_app):
    posts = [make_post(content=f"Post {i}") for i in range(101)]
    for i, post in enumerate(posts, start=1):
        publish(post, str(i))
    x_tweets(*[str(i) for i in range(1, 101)])
    x_tweets("101")
    assert metrics.refresh_metrics().updated == 101
    assert [len(c.request.params["ids"].split(",")) for c in responses.calls] == [100, 1]


@responses.activate
def test_a_spent_budget_stops_the_run_and_the_rest_waits(make_post, x_app):
    posts = [make_post(content=f"Post {i}") for i in range(101)]
    for i, post in enumerate(posts, start=1):
        publish(post, str(i))
    x_tweets(*[str(i) for i in range(1, 101)], remaining="0")
    run = metrics.refresh_metrics()
    assert (run.updated, run.skipped, len(responses.calls)) == (100, 1, 1)


@responses.activate
def test_a_429_skips_the_account_without_failing(make_post, x_app):
    channel = publish(make_post(), "11")
    responses.get(TWEETS_URL, status=429, json={"title": "Too Many Requests"})
    run = metrics.refresh_metrics()
    channel.refresh_from_db()
    assert (run.updated, run.skipped, channel.metrics_updated_at) == (0, 1, None)


@responses.activate
def test_fresh_metrics_are_not_read_again(make_post, x_app):
    publish(make_post(), "11", metrics_updated_at=timezone.now() - dt.timedelta(minutes=5))
    assert metrics.refresh_metrics().updated == 0 and not responses.calls


@responses.activate
def test_a_deleted_tweet_is_marked_unavailable(make_post, x_app):
    channel = publish(make_post(), "11", metrics={"likes": 4})
    responses.get(TWEETS_URL, json={"errors": [{"value": "11", "title": "Not Found Error"}]})
    metrics.refresh_metrics()
    channel.refresh_from_db()
    assert channel.metrics == {"likes": 4, "unavailable": True} and channel.metrics_updated_at


@responses.activate
def test_a_disconnected_accounts_posts_are_read_with_the_app_token(make_post, alice_account, x_app):
    channel = publish(make_post(), "11")
    Account.objects.filter(pk=alice_account.pk).update(state="disconnected", oauth2_access_token="")
    x_tweets("11")
    metrics.refresh_metrics()
    assert responses.calls[0].request.headers["Authorization"] == "Bearer app-bearer"
    channel.refresh_from_db()
    assert channel.metrics["impressions"] == 111


def test_the_job_runs_every_five_minutes_from_django_q2(db):
    schedule = Schedule.objects.get(func="posts.tasks.refresh_metrics")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 5, -1)


@responses.activate
def test_metrics_show_in_the_admin_and_in_the_page_snippet(client, sam, make_post, x_app):
    from django.template.loader import render_to_string

    post = make_post()
    channel = publish(post, "11")
    x_tweets("11")
    metrics.refresh_metrics()
    client.force_login(sam)
    page = client.get(f"/admin/posts/post/{post.pk}/change/").content.decode()
    assert "&quot;impressions&quot;: 111" in page
    channel.refresh_from_db()
    snippet = render_to_string("socials/_metrics.html", {"channel": channel})
    assert "111 impressions" in snippet and "5 likes" in snippet and "read from X" in snippet


@responses.activate
def test_without_any_usable_token_the_posts_wait_for_the_next_run(make_post, alice_account, x_app, settings):
    settings.TWITTER_BEARER_TOKEN = ""
    channel = publish(make_post(), "11")
    Account.objects.filter(pk=alice_account.pk).update(state="disconnected", oauth2_access_token="")
    assert metrics.refresh_metrics().skipped == 1 and not responses.calls
    channel.refresh_from_db()
    assert channel.metrics_updated_at is None


def test_a_published_post_has_its_first_metrics_read_two_minutes_later_not_an_hour(make_post, x_app, settings):
    from posts import tasks

    settings.METRICS_FIRST_READ_SECONDS = 120
    now = timezone.now()
    ready = publish(make_post(), "11", published_at=now - dt.timedelta(seconds=121))
    too_new = publish(make_post(content="Just now"), "12", published_at=now - dt.timedelta(seconds=60))
    read_before = publish(make_post(content="Read"), "13", published_at=now - dt.timedelta(minutes=10),
                          metrics_updated_at=now - dt.timedelta(minutes=5))

    with responses.RequestsMock() as x:
        x.get(TWEETS_URL, json={"data": [{"id": "11", "public_metrics": {"impression_count": 3, "like_count": 1}}]})
        assert tasks.refresh_first_metrics() == "1 updated, 0 unavailable, 0 skipped"
        assert x.calls[0].request.params["ids"] == "11"

    ready.refresh_from_db(), too_new.refresh_from_db(), read_before.refresh_from_db()
    assert ready.metrics["impressions"] == 3
    assert too_new.metrics_updated_at is None and read_before.metrics == {}


def test_the_first_read_job_runs_every_minute_from_django_q2(db):
    schedule = Schedule.objects.get(func="posts.tasks.refresh_first_metrics")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)
