"""The metrics job reads a Facebook Page's posts' reactions, comments and shares (up to 50 posts a
Graph call, with the page token, against the sandbox's stand-in) as likes, replies and reposts, like
the other networks' counts."""

import datetime as dt

import requests
from django.utils import timezone

from posts import metrics
from socials.models import Account
from tests.platforms.helpers import control, fault, read


def test_a_page_post_s_reactions_comments_and_shares_show_as_likes_replies_and_reposts(
    client, alice, sandbox, published, facebook_account
):
    post, channels = published(facebook_account)
    control(sandbox, "counts", id=channels["facebook"].remote_id, reactions=9, comments=4, shares=2)

    run = metrics.refresh_metrics()

    assert run.updated == 1
    assert read(channels["facebook"]) == {"likes": 9, "replies": 4, "reposts": 2}
    client.force_login(alice)
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert "9 likes" in page
    [shown] = client.get(f"/api/posts/{post.pk}").json()["channels"]
    assert shown["metrics"] == {"likes": 9, "replies": 4, "reposts": 2}
    assert shown["metrics_updated_at"] is not None


def test_a_page_s_posts_are_read_fifty_to_a_call(sandbox, published, facebook_account):
    channels = [published(facebook_account, content=f"Tulip {i}")[1]["facebook"] for i in range(3)]
    before = len(sandbox.state.fb_calls[facebook_account.provider_account_id])

    assert metrics.refresh_metrics().updated == 3

    assert len(sandbox.state.fb_calls[facebook_account.provider_account_id]) == before + 1
    assert all(read(c) == {"likes": 0, "replies": 0, "reposts": 0} for c in channels)
    too_many = ",".join([channels[0].remote_id] * 51)
    answer = requests.get(f"{sandbox.url}/v26.0/", params={"ids": too_many, "fields": "shares",
                                                            "access_token": facebook_account.oauth2_access_token},
                          timeout=5)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == 100


def test_a_deleted_post_is_marked_unavailable_and_its_page_s_other_posts_still_read(
    sandbox, published, facebook_account
):
    kept = published(facebook_account, content="Still here")[1]["facebook"]
    gone = published(facebook_account, content="Deleted on Facebook")[1]["facebook"]
    control(sandbox, "counts", id=gone.remote_id, reactions=3)
    assert metrics.refresh_metrics().updated == 2
    control(sandbox, "counts", id=kept.remote_id, reactions=5)
    del sandbox.state.fb_posts[gone.remote_id]

    run = metrics.refresh_metrics(now=timezone.now() + dt.timedelta(hours=2))  # the next read due

    assert (run.updated, run.unavailable) == (1, 1)
    assert read(gone) == {"likes": 3, "replies": 0, "reposts": 0, "unavailable": True}
    assert read(kept) == {"likes": 5, "replies": 0, "reposts": 0}


def test_a_rate_limited_page_is_skipped_and_read_on_the_next_run(sandbox, published, facebook_account):
    _post, channels = published(facebook_account)
    control(sandbox, "counts", id=channels["facebook"].remote_id, comments=1)
    fault(sandbox, "facebook.posts", code=80001, regain_in=5)

    run = metrics.refresh_metrics()

    assert (run.updated, run.skipped) == (0, 1)
    assert channels["facebook"].metrics_updated_at is None and read(channels["facebook"]) == {}
    assert metrics.refresh_metrics().updated == 1
    assert read(channels["facebook"]) == {"likes": 0, "replies": 1, "reposts": 0}


def test_a_refused_page_token_skips_the_page_and_asks_for_a_reconnect(sandbox, published, facebook_account):
    _post, channels = published(facebook_account)
    fault(sandbox, "facebook.posts", code=190)

    run = metrics.refresh_metrics()

    assert (run.updated, run.skipped) == (0, 1)
    assert read(channels["facebook"]) == {}
    facebook_account.refresh_from_db()
    assert facebook_account.state == Account.State.RECONNECT_NEEDED
    assert metrics.refresh_metrics().skipped == 1  # not read again until it is reconnected
