"""What X lets a post be besides text: checked when the post is written, sent with part 1."""

import pytest
import requests
from django.core.exceptions import ValidationError

from posts import publishing, services
from posts.models import Post, PostChannel
from tests.conftest import PNG_BYTES, sandbox_account, sandbox_control, upload

POLL = {"options": ["Tulips", "Roses"], "duration_minutes": 60}


def test_a_post_keeps_every_option(make_post):
    post = make_post(options={
        "poll": POLL, "reply_settings": "mentionedUsers", "community_id": "https://x.com/i/communities/1492410432069451776",
        "share_with_followers": True, "made_with_ai": True, "paid_partnership": True})

    post.refresh_from_db()
    assert post.poll_options == ["Tulips", "Roses"] and post.poll_duration_minutes == 60
    assert post.reply_settings == "mentionedUsers"
    assert post.community_id == "1492410432069451776" and post.share_with_followers
    assert post.made_with_ai and post.paid_partnership


@pytest.mark.parametrize("link", [
    "https://x.com/nasa/status/1234567890123456789", "twitter.com/nasa/status/1234567890123456789?s=20",
    "https://x.com/i/web/status/1234567890123456789", "1234567890123456789"])
def test_a_pasted_post_link_becomes_the_quoted_id(make_post, link):
    assert make_post(options={"quote": link}).quote_tweet_id == "1234567890123456789"


@pytest.mark.parametrize("options, field, message", [
    ({"poll": {"options": ["Only"], "duration_minutes": 60}}, "poll", "A poll has 2 to 4 options; this one has 1."),
    ({"poll": {"options": list("abcde"), "duration_minutes": 60}}, "poll", "A poll has 2 to 4 options; this one has 5."),
    ({"poll": {"options": ["a", "x" * 26], "duration_minutes": 60}}, "poll", "Option 2 is 26 characters; X allows 25."),
    ({"poll": {"options": ["a", "b"], "duration_minutes": 4}}, "poll",
     "A poll lasts 5 minutes to 7 days (10080 minutes)."),
    ({"poll": {"options": ["a", "b"], "duration_minutes": 10081}}, "poll",
     "A poll lasts 5 minutes to 7 days (10080 minutes)."),
    ({"reply_settings": "friends"}, "reply_settings",
     "Choose who can reply: everyone, following, mentionedUsers, subscribers, verified."),
    ({"quote": "https://example.com/nasa/status/1"}, "quote",
     "Paste the link of the post to quote, like https://x.com/name/status/1234567890, or its id."),
    ({"community_id": "tulips"}, "community_id",
     "Give the community's number, or its link (x.com/i/communities/<number>)."),
    ({"share_with_followers": True}, "share_with_followers", "Sharing with followers is for a community post."),
    ({"made_with_ai": "maybe"}, "made_with_ai", "Use true or false."),
    ({"poll": POLL, "quote": "123"}, "poll", "X does not allow a poll and a quoted post in one post: keep one of them."),
])
def test_each_option_is_checked_with_a_clear_message(make_post, options, field, message):
    with pytest.raises(ValidationError) as exc:
        make_post(options=options)
    assert exc.value.message_dict == {field: [message]}
    assert not Post.objects.exists()


def test_media_and_a_poll_cannot_be_combined(make_post):
    with pytest.raises(ValidationError) as exc:
        make_post(options={"poll": POLL}, media_files=[upload("a.png", PNG_BYTES)])
    assert exc.value.message_dict == {"poll": ["X does not allow media and a poll in one post: keep one of them."]}


def test_adding_media_to_a_post_with_a_quote_is_refused_on_edit(make_post, rita):
    post = make_post(options={"quote": "123"})
    with pytest.raises(ValidationError) as exc:
        services.edit_post(actor=rita, post=post, media_files=[upload("a.png", PNG_BYTES)])
    assert exc.value.message_dict == {"quote": ["X does not allow media and a quoted post in one post: keep one of them."]}


def test_editing_other_fields_keeps_the_options(make_post, rita):
    post = make_post(options={"poll": POLL, "reply_settings": "verified"})
    services.edit_post(actor=rita, post=post, content="New question?")
    post.refresh_from_db()
    assert post.poll_options == ["Tulips", "Roses"] and post.reply_settings == "verified"


def test_options_can_be_cleared_on_edit(make_post, rita):
    post = make_post(options={"poll": POLL})
    services.edit_post(actor=rita, post=post, options={})
    post.refresh_from_db()
    assert post.poll_options == [] and post.reply_settings == "everyone"


def approve_and_publish(post, alice):
    services.review_post(actor=alice, post=post, action=1)
    publishing.publish_post(post_id=post.pk)
    post.refresh_from_db()
    return post


def sandbox_tweets(sb):
    return requests.get(f"{sb.url}/_sandbox/tweets", timeout=5).json()["data"]


def test_options_reach_x_with_part_1_only(x_sandbox, rita, alice, task):
    account = sandbox_account(x_sandbox.url, alice, "alice_x")
    post = services.create_post(
        author=rita, task=task, account_ids=[account.pk],
        parts=[{"content": "Which flower?"}, {"content": "Vote above!"}],
        options={"poll": POLL, "reply_settings": "following", "made_with_ai": True})

    post = approve_and_publish(post, alice)

    assert post.status == Post.Status.PUBLISHED
    first, second = sandbox_tweets(x_sandbox)
    assert first["options"]["poll"] == POLL and first["options"]["reply_settings"] == "following"
    assert first["options"]["made_with_ai"] is True
    assert second["options"] == {"poll": None, "reply_settings": "everyone", "community_id": None,
                                 "share_with_followers": False, "made_with_ai": False, "paid_partnership": False}


def test_a_quote_post_quotes_the_pasted_link(x_sandbox, rita, alice, task):
    account = sandbox_account(x_sandbox.url, alice, "alice_x")
    x_user = sandbox_control(x_sandbox.url, "users", username="nasa")
    quoted = requests.post(f"{x_sandbox.url}/2/tweets", json={"text": "Launch day"}, timeout=5,
                           headers={"Authorization": f"Bearer {x_user['oauth2']['access_token']}"}).json()["data"]["id"]
    post = services.create_post(author=rita, task=task, account_ids=[account.pk], content="Look at this",
                                options={"quote": f"{x_sandbox.url}/nasa/status/{quoted}"})

    post = approve_and_publish(post, alice)

    assert post.channels.get().state == PostChannel.State.PUBLISHED
    assert sandbox_tweets(x_sandbox)[-1]["quote_of"] == quoted
