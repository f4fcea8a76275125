"""Publishing with a Bluesky account connected through OAuth: every call to the PDS carries
`Authorization: DPoP <token>` and a proof signed by the account's key (the sandbox refuses
anything else), through atproto's own client; threads are reply chains as with app passwords."""

import time

from django.utils import timezone

from posts import publishing, services
from posts.models import Post, PostChannel
from socials.models import Account
from tests.conftest import PNG_BYTES, upload
from tests.platforms.helpers import control, fault


def _approved(rita, alice, task, account, **fields):
    post = services.create_post(author=rita, task=task, account_ids=[account.pk], **fields)
    services.review_post(actor=alice, post=post, action=1)
    return post


def test_a_post_with_an_image_is_published_with_the_oauth_session(sandbox, rita, alice, task, bluesky_oauth_account):
    post = _approved(rita, alice, task, bluesky_oauth_account, content="Tulips, signed in with Bluesky",
                     media_files=[upload("t.png", PNG_BYTES, "image/png")], alt_texts=["A red tulip"])

    publishing.publish_post(post_id=post.pk)

    channel = PostChannel.objects.get(post=post)
    [(uri, record)] = sandbox.state.records.items()
    assert channel.state == PostChannel.State.PUBLISHED and uri.endswith("/" + channel.remote_id)
    assert record["value"]["text"] == "Tulips, signed in with Bluesky"
    assert record["value"]["embed"]["images"][0]["alt"] == "A red tulip"


def test_a_thread_is_a_reply_chain_with_the_oauth_session(sandbox, rita, alice, task, bluesky_oauth_account):
    post = _approved(rita, alice, task, bluesky_oauth_account,
                     parts=[{"content": "1/3 Tulips"}, {"content": "2/3 Daffodils"}, {"content": "3/3 Come"}])

    publishing.publish_post(post_id=post.pk)

    (root_uri, root), (second_uri, second), (_, third) = sorted(sandbox.state.records.items())
    assert [r["value"]["text"] for r in (root, second, third)] == ["1/3 Tulips", "2/3 Daffodils", "3/3 Come"]
    assert second["value"]["reply"]["root"]["uri"] == second["value"]["reply"]["parent"]["uri"] == root_uri
    assert third["value"]["reply"]["root"]["uri"] == root_uri
    parent = third["value"]["reply"]["parent"]
    assert (parent["uri"], parent["cid"]) == (second_uri, second["cid"])
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_an_expired_token_is_refreshed_before_publishing(sandbox, rita, alice, task, bluesky_oauth_account):
    sandbox.state.sessions[bluesky_oauth_account.oauth2_access_token]["exp"] = time.time() - 1  # the PDS refuses it
    Account.objects.filter(pk=bluesky_oauth_account.pk).update(expires_at=timezone.now())
    post = _approved(rita, alice, task, bluesky_oauth_account, content="After the refresh")

    publishing.publish_post(post_id=post.pk)

    assert PostChannel.objects.get(post=post).state == PostChannel.State.PUBLISHED
    assert sandbox.state.oauth_refreshes == 1 and len(sandbox.state.records) == 1


def test_a_new_nonce_while_publishing_is_retried_once_and_posts_once(sandbox, rita, alice, task, bluesky_oauth_account):
    post = _approved(rita, alice, task, bluesky_oauth_account, content="Nonce turned over")
    control(sandbox, "bluesky/config", rotate_nonce=True)
    refusals = sandbox.state.nonce_refusals

    publishing.publish_post(post_id=post.pk)

    assert PostChannel.objects.get(post=post).state == PostChannel.State.PUBLISHED
    assert len(sandbox.state.records) == 1 and sandbox.state.nonce_refusals == refusals + 1


def test_a_lost_answer_with_the_oauth_session_is_read_back_not_sent_twice(sandbox, rita, alice, task,
                                                                          bluesky_oauth_account):
    post = _approved(rita, alice, task, bluesky_oauth_account, content="Lost in the mail")
    fault(sandbox, "bluesky.createRecord", lose_answer=True)

    publishing.publish_post(post_id=post.pk)

    assert len(sandbox.state.records) == 1
    assert PostChannel.objects.get(post=post).state == PostChannel.State.PUBLISHED


def test_a_token_refused_by_the_pds_asks_for_a_reconnect(sandbox, rita, alice, task, bluesky_oauth_account):
    sandbox.state.sessions.clear()  # the PDS no longer knows the access token
    post = _approved(rita, alice, task, bluesky_oauth_account, content="Refused")

    publishing.publish_post(post_id=post.pk)

    account = Account.objects.get(pk=bluesky_oauth_account.pk)
    assert account.state == Account.State.RECONNECT_NEEDED
    assert not sandbox.state.records
