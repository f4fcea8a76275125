"""The metrics job reads Mastodon's and Bluesky's counts (through Mastodon.py and atproto, against
the sandbox's stand-ins) into the same fields as X's, and shows them on the post page; LinkedIn's
are not read (member-post counts need scopes LinkedIn grants to partners), so its page shows no
numbers rather than zeros."""

import requests

from posts import metrics
from tests.platforms.helpers import control, fault, read


def test_a_mastodon_status_s_favourites_boosts_and_replies_are_stored_as_likes_reposts_and_replies(
    sandbox, published, mastodon_account
):
    _post, channels = published(mastodon_account)
    status_id = channels["mastodon"].remote_id
    control(sandbox, "counts", id=status_id, favourites_count=7, reblogs_count=2, replies_count=3)

    run = metrics.refresh_metrics()

    assert run.updated == 1
    assert read(channels["mastodon"]) == {"likes": 7, "reposts": 2, "replies": 3}
    assert channels["mastodon"].metrics_updated_at is not None


def test_bluesky_posts_counts_come_from_get_posts_with_quotes(sandbox, published, bluesky_account):
    _post, channels = published(bluesky_account)
    uri = f"at://{bluesky_account.provider_account_id}/app.bsky.feed.post/{channels['bluesky'].remote_id}"
    control(sandbox, "counts", id=uri, likeCount=12, repostCount=4, replyCount=1, quoteCount=2)

    metrics.refresh_metrics()

    assert read(channels["bluesky"]) == {"likes": 12, "reposts": 4, "replies": 1, "quotes": 2}


def test_the_post_page_shows_mastodon_and_bluesky_numbers_and_none_for_linkedin(
    client, alice, sandbox, published, mastodon_account, bluesky_account, linkedin_account
):
    post, channels = published(mastodon_account, bluesky_account, linkedin_account)
    control(sandbox, "counts", id=channels["mastodon"].remote_id, favourites_count=7)
    uri = f"at://{bluesky_account.provider_account_id}/app.bsky.feed.post/{channels['bluesky'].remote_id}"
    control(sandbox, "counts", id=uri, likeCount=12)

    assert metrics.refresh_metrics().updated == 2

    assert read(channels["linkedin"]) == {} and channels["linkedin"].metrics_updated_at is None
    client.force_login(alice)
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert "7 likes" in page and "12 likes" in page
    linkedin_line = page[page.index("linkedin.test"):].split("</li>")[0]
    assert "likes" not in linkedin_line and "0 " not in linkedin_line
    shown = {c["remote_id"]: c for c in client.get(f"/api/posts/{post.pk}").json()["channels"]}
    assert shown[channels["linkedin"].remote_id]["metrics"] == {}
    assert shown[channels["linkedin"].remote_id]["metrics_updated_at"] is None
    assert shown[channels["mastodon"].remote_id]["metrics"] == {"likes": 7, "replies": 0, "reposts": 0}


def test_a_deleted_post_is_marked_unavailable_on_each_network(sandbox, published, mastodon_account, bluesky_account):
    _post, channels = published(mastodon_account, bluesky_account)
    sandbox.state.statuses.clear()
    sandbox.state.records.clear()

    run = metrics.refresh_metrics()

    assert run.unavailable == 2
    assert read(channels["mastodon"])["unavailable"] is True
    assert read(channels["bluesky"])["unavailable"] is True


def test_a_rate_limited_network_is_skipped_and_read_on_the_next_run(sandbox, published, mastodon_account):
    _post, channels = published(mastodon_account)
    fault(sandbox, "mastodon.status", status=429)

    run = metrics.refresh_metrics()

    assert (run.updated, run.skipped) == (0, 1)
    assert channels["mastodon"].metrics_updated_at is None and read(channels["mastodon"]) == {}
    assert metrics.refresh_metrics().updated == 1
    assert read(channels["mastodon"]) == {"likes": 0, "reposts": 0, "replies": 0}


def test_the_sandbox_counts_a_thread_s_reply_as_a_reply(sandbox, mastodon_account, bluesky_account):
    """The stand-ins count replies among their own posts, as the networks do."""
    from platforms.bluesky import client as bluesky_client
    from platforms.mastodon import client as mastodon_client

    api = mastodon_client.account_api(mastodon_account)
    first = api.status_post("Part one")
    api.status_post("Part two", in_reply_to_id=first["id"])
    assert api.status(first["id"])["replies_count"] == 1

    bsky = bluesky_client.account_client(bluesky_account)
    did = bluesky_account.provider_account_id
    root = bsky.send_post("Part one", profile_identify=did)
    ref = {"uri": root.uri, "cid": root.cid}
    bsky.send_post("Part two", reply_to={"root": ref, "parent": ref}, profile_identify=did)
    [view] = bsky.app.bsky.feed.get_posts({"uris": [root.uri]}).posts
    assert (view.reply_count, view.like_count) == (1, 0)
    assert requests.get(f"{sandbox.url}/xrpc/app.bsky.feed.getPosts", params={"uris": [root.uri] * 26},
                        headers={"Authorization": f"Bearer {bluesky_account.oauth2_access_token}"},
                        timeout=5).status_code == 400


def test_a_bluesky_account_signed_in_with_oauth_has_its_counts_read_with_its_dpop_bound_session(
    sandbox, published, bluesky_oauth_account
):
    _post, channels = published(bluesky_oauth_account)
    uri = f"at://{bluesky_oauth_account.provider_account_id}/app.bsky.feed.post/{channels['bluesky'].remote_id}"
    control(sandbox, "counts", id=uri, likeCount=5)

    assert metrics.refresh_metrics().updated == 1
    assert read(channels["bluesky"]) == {"likes": 5, "reposts": 0, "replies": 0, "quotes": 0}


def test_mastodon_reads_are_capped_per_account_and_run_so_publishing_keeps_its_budget(
    sandbox, published, mastodon_account, monkeypatch
):
    from platforms.mastodon import metrics as mastodon_metrics

    monkeypatch.setattr(mastodon_metrics, "READS_PER_RUN", 2)
    channels = [published(mastodon_account, content=f"Tulip {i}")[1]["mastodon"] for i in range(3)]

    run = metrics.refresh_metrics()

    assert (run.updated, run.skipped) == (2, 1)
    assert metrics.refresh_metrics().updated == 1  # the stalest first: the one left over
    assert all(read(c) == {"likes": 0, "reposts": 0, "replies": 0} for c in channels)
