"""Publishing to Mastodon through the engine (publish_post, as a worker calls it), against the
sandbox: with media, as a thread, within the instance's own length limit, and exactly once when
an answer is lost (the Idempotency-Key and the status lookup both stand behind the claim)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from platforms.mastodon import client, limits
from platforms.mastodon.publisher import plain_text
from platforms.models import MastodonApp
from platforms.sandbox.mastodon import to_html
from posts import publishing, services
from posts.models import ChannelPart, Post, PostChannel
from socials.models import Account
from tests.conftest import PNG_BYTES, upload
from tests.platforms.helpers import control, fault

State = PostChannel.State


@pytest.fixture
def write(approved_post, mastodon_account):
    """An approved post for alice's Mastodon account (not yet handed to a worker)."""
    return lambda content, **fields: approved_post(mastodon_account, content=content, **fields)


def statuses(sandbox):
    return sorted(sandbox.state.statuses.values(), key=lambda s: int(s["id"]))


def channel_of(post):
    return PostChannel.objects.get(post=post)


def test_a_post_with_an_image_and_its_alt_text_is_published_once(sandbox, write):
    post = write("Tulips https://example.com/tulips", hashtags=["spring"],
                 media_files=[upload("tulip.png", PNG_BYTES, "image/png")], alt_texts=["A red tulip"])

    publishing.publish_post(post_id=post.pk)

    [status] = statuses(sandbox)
    channel = channel_of(post)
    assert status["text"] == "Tulips https://example.com/tulips\n\n#spring"
    [media] = [sandbox.state.media[m] for m in status["media_ids"]]
    assert media["description"] == "A red tulip" and media["mime_type"] == "image/png"
    assert channel.state == State.PUBLISHED and channel.remote_id == status["id"]
    assert channel.remote_url == f"{sandbox.url}/@alice/{status['id']}"
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_a_thread_goes_out_as_a_reply_chain(sandbox, rita, alice, task, mastodon_account):
    post = services.create_post(author=rita, task=task, account_ids=[mastodon_account.pk],
                                parts=[{"content": "1/3 Tulips"}, {"content": "2/3 Daffodils"}, {"content": "3/3 Come"}])
    services.review_post(actor=alice, post=post, action=1)

    publishing.publish_post(post_id=post.pk)

    chain = statuses(sandbox)
    assert [s["text"] for s in chain] == ["1/3 Tulips", "2/3 Daffodils", "3/3 Come"]
    assert [s["in_reply_to_id"] for s in chain] == [None, chain[0]["id"], chain[1]["id"]]
    assert [r.remote_id for r in ChannelPart.objects.order_by("part__position")] == [chain[1]["id"], chain[2]["id"]]


def test_a_lost_answer_is_settled_without_a_second_status(sandbox, write):
    post = write("Lost in the mail")
    fault(sandbox, "mastodon.statuses", lose_answer=True)  # created, but the answer never arrives

    publishing.publish_post(post_id=post.pk)

    [status] = statuses(sandbox)
    channel = channel_of(post)
    assert channel.state == State.PUBLISHED and channel.remote_id == status["id"]


def test_a_retry_after_a_lost_answer_carries_the_same_idempotency_key(sandbox, write):
    """The lookup does not show the status yet (a lagging timeline): the retry is sent, with the
    same Idempotency-Key, so the instance answers with the status it made, not a new one."""
    post = write("Behind a lagging timeline")
    fault(sandbox, "mastodon.statuses", lose_answer=True)
    fault(sandbox, "mastodon.account_statuses", status=200, body=[])

    publishing.publish_post(post_id=post.pk)
    assert channel_of(post).state == State.RETRY
    publishing.publish_post(post_id=post.pk)

    [status] = statuses(sandbox)
    assert channel_of(post).state == State.PUBLISHED and channel_of(post).remote_id == status["id"]
    assert len(sandbox.state.idempotency) == 1


def test_the_instances_own_limit_is_checked_while_writing(sandbox, rita, task, mastodon_account):
    control(sandbox, "mastodon/config", max_characters=100)
    assert limits.for_instance(sandbox.url).max_characters == 500  # no app registered: Mastodon's default
    MastodonApp.objects.create(instance_url=sandbox.url, client_id="c", client_secret="s",
                               redirect_uri="http://testserver/cb", scopes="write:statuses")
    client.limits(sandbox.url)  # read from /api/v2/instance, as at connect and test connection

    with pytest.raises(ValidationError) as refused:
        services.create_post(author=rita, task=task, content="x" * 101, account_ids=[mastodon_account.pk])
    assert "Too long for Mastodon: 101 characters, the server allows 100" in str(refused.value)
    services.create_post(author=rita, task=task, content="x" * 100, account_ids=[mastodon_account.pk])


def test_mastodon_allows_more_than_x_and_counts_links_as_23(sandbox, rita, task, mastodon_account):
    long_link = "https://example.com/" + "a" * 200
    post = services.create_post(author=rita, task=task, content="y" * 400 + " " + long_link,
                                account_ids=[mastodon_account.pk])
    assert post.pk
    assert limits.length("y " + long_link) == 2 + 23


def test_a_rate_limit_waits_until_the_instance_says(sandbox, write):
    post = write("Busy server")
    fault(sandbox, "mastodon.statuses", status=429, reset_in=600)

    publishing.publish_post(post_id=post.pk)

    channel = channel_of(post)
    assert channel.state == State.RETRY and channel.error_kind == "rate_limited"
    assert channel.next_attempt_at > timezone.now() + dt.timedelta(minutes=9)
    assert not statuses(sandbox)


def test_a_revoked_token_fails_the_post_and_asks_for_a_reconnect(sandbox, write, mastodon_account):
    post = write("Nobody home")
    sandbox.state.tokens.clear()

    publishing.publish_post(post_id=post.pk)

    channel = channel_of(post)
    mastodon_account.refresh_from_db()
    assert channel.state == State.FAILED and channel.error_kind == "auth"
    assert mastodon_account.state == Account.State.RECONNECT_NEEDED


def test_a_validation_error_is_permanent_with_mastodons_reason(sandbox, write):
    post = write("Fine here")
    fault(sandbox, "mastodon.statuses", status=422, body={"error": "Validation failed: Text can't be blank"})

    publishing.publish_post(post_id=post.pk)

    channel = channel_of(post)
    assert channel.state == State.FAILED
    assert channel.last_error == "Mastodon refused the post: Validation failed: Text can't be blank"


def test_a_status_content_reads_back_as_the_text_sent():
    text = "Tulips & more https://example.com/a/very/long/path/that/keeps/going\n\nSee you <there>"
    assert plain_text(to_html(text)) == text
