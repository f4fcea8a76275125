"""Publishing to Bluesky through the engine, against the sandbox: each part is a record under a
TID record key derived from what the claim stored before sending, so a lost answer is settled by
reading that key back and a repeat can never make a second post."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from platforms.bluesky import tid
from posts import publishing, services
from posts.models import ChannelPart, Post, PostChannel
from socials.publishers import AttemptKey
from tests.conftest import GIF_BYTES, MP4_BYTES, PNG_BYTES, upload
from tests.platforms.helpers import fault

State = PostChannel.State


@pytest.fixture
def write(approved_post, bluesky_account):
    """An approved post for alice's Bluesky account (not yet handed to a worker)."""
    return lambda content, **fields: approved_post(bluesky_account, content=content, **fields)


def records(sandbox):
    return sorted(sandbox.state.records.items())


def channel_of(post):
    return PostChannel.objects.get(post=post)


def test_a_post_with_an_image_is_one_record_under_the_key_chosen_before_sending(sandbox, write, bluesky_account):
    post = write("Tulips at https://example.com/tulips", media_files=[upload("t.png", PNG_BYTES, "image/png")],
                 alt_texts=["A red tulip"])

    publishing.publish_post(post_id=post.pk)

    [(uri, record)] = records(sandbox)
    channel = channel_of(post)
    key = AttemptKey(channel.pk, 1, channel.first_attempt_at)
    assert uri == f"at://{bluesky_account.provider_account_id}/app.bsky.feed.post/{tid.for_attempt(key)}"
    assert channel.state == State.PUBLISHED and channel.remote_id == tid.for_attempt(key)
    assert channel.remote_url == f"https://bsky.test/profile/alice.bsky.test/post/{channel.remote_id}"
    value = record["value"]
    assert value["text"] == "Tulips at https://example.com/tulips"
    assert value["embed"]["images"][0]["alt"] == "A red tulip"
    assert value["embed"]["images"][0]["image"]["mimeType"] == "image/png"
    [link] = value["facets"]
    assert link["features"][0]["uri"] == "https://example.com/tulips"
    assert (link["index"]["byteStart"], link["index"]["byteEnd"]) == (10, 36)


def test_a_thread_is_a_reply_chain_with_its_root(sandbox, rita, alice, task, bluesky_account):
    post = services.create_post(author=rita, task=task, account_ids=[bluesky_account.pk],
                                parts=[{"content": "1/3 Tulips"}, {"content": "2/3 Daffodils"}, {"content": "3/3 Come"}])
    services.review_post(actor=alice, post=post, action=1)

    publishing.publish_post(post_id=post.pk)

    chain = sorted(sandbox.state.records.items(), key=lambda item: item[0])  # TIDs sort in part order
    assert [r["value"]["text"] for _, r in chain] == ["1/3 Tulips", "2/3 Daffodils", "3/3 Come"]
    (root_uri, root), (second_uri, second), (_, third) = chain
    assert "reply" not in root["value"]
    def ref(value, side):
        return value["reply"][side]["uri"], value["reply"][side]["cid"]

    assert ref(second["value"], "root") == ref(second["value"], "parent") == (root_uri, root["cid"])
    assert ref(third["value"], "root") == (root_uri, root["cid"])
    assert ref(third["value"], "parent") == (second_uri, second["cid"])
    assert ChannelPart.objects.filter(remote_id="").count() == 0
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_a_lost_answer_is_read_back_by_its_key_and_never_sent_twice(sandbox, write):
    post = write("Lost in the mail")
    fault(sandbox, "bluesky.createRecord", lose_answer=True)

    publishing.publish_post(post_id=post.pk)

    [(uri, _record)] = records(sandbox)
    channel = channel_of(post)
    assert channel.state == State.PUBLISHED and uri.endswith("/" + channel.remote_id)


def test_a_repeat_finds_its_key_taken_and_records_that_post_instead_of_a_second(sandbox, write):
    """The lookup after the lost answer misses the record (say a lagging replica): the retry is
    sent under the same record key, Bluesky refuses the taken key, and the record is read back."""
    post = write("Behind a lagging replica")
    fault(sandbox, "bluesky.createRecord", lose_answer=True)
    fault(sandbox, "bluesky.getRecord", status=400, body={"error": "RecordNotFound", "message": "Could not locate record"})

    publishing.publish_post(post_id=post.pk)
    assert channel_of(post).state == State.RETRY
    publishing.publish_post(post_id=post.pk)

    [(uri, _record)] = records(sandbox)
    channel = channel_of(post)
    assert channel.state == State.PUBLISHED and uri.endswith("/" + channel.remote_id)


def test_an_unreadable_lookup_leaves_the_outcome_unknown_until_it_can_read(sandbox, write):
    post = write("Behind a flaky server")
    fault(sandbox, "bluesky.createRecord", lose_answer=True)
    fault(sandbox, "bluesky.getRecord", status=502)

    publishing.publish_post(post_id=post.pk)
    assert channel_of(post).state == State.UNKNOWN
    PostChannel.objects.filter(post=post).update(next_attempt_at=timezone.now())
    publishing.publish_post(post_id=post.pk)

    assert len(records(sandbox)) == 1
    assert channel_of(post).state == State.PUBLISHED


def test_bluesky_counts_graphemes_and_allows_300_while_writing(sandbox, rita, task, bluesky_account):
    family = "\U0001F468\u200D\U0001F469\u200D\U0001F467"  # one grapheme, eight UTF-16 units
    services.create_post(author=rita, task=task, content=family * 140, account_ids=[bluesky_account.pk])
    with pytest.raises(ValidationError) as refused:
        services.create_post(author=rita, task=task, content="x" * 301, account_ids=[bluesky_account.pk])
    assert "Too long for Bluesky: 301 characters, Bluesky allows 300" in str(refused.value)


def test_a_thread_part_too_long_for_bluesky_is_named_while_writing(sandbox, rita, task, bluesky_account):
    with pytest.raises(ValidationError) as refused:
        services.create_post(author=rita, task=task, account_ids=[bluesky_account.pk],
                             parts=[{"content": "Short"}, {"content": "y" * 301}])
    assert "Part 2: Too long for Bluesky" in str(refused.value)


def test_images_over_2_mb_and_videos_are_refused_for_bluesky_while_writing(sandbox, rita, task, bluesky_account):
    big = PNG_BYTES + b"\x00" * 2_000_001
    with pytest.raises(ValidationError) as too_big:
        services.create_post(author=rita, task=task, content="Big", account_ids=[bluesky_account.pk],
                             media_files=[upload("big.png", big, "image/png")])
    with pytest.raises(ValidationError) as video:
        services.create_post(author=rita, task=task, content="Film", account_ids=[bluesky_account.pk],
                             media_files=[upload("v.mp4", MP4_BYTES, "video/mp4")])
    assert "Bluesky takes images up to 2 MB each" in str(too_big.value)
    assert "Bluesky takes images only" in str(video.value)
    services.create_post(author=rita, task=task, content="Gif", account_ids=[bluesky_account.pk],
                         media_files=[upload("a.gif", GIF_BYTES, "image/gif")])


def test_a_rate_limit_waits_until_bluesky_resets(sandbox, write):
    post = write("Busy")
    fault(sandbox, "bluesky.createRecord", status=429, reset_in=1200)

    publishing.publish_post(post_id=post.pk)

    channel = channel_of(post)
    assert channel.state == State.RETRY and channel.error_kind == "rate_limited"
    assert channel.next_attempt_at > timezone.now() + dt.timedelta(minutes=19)
    assert not records(sandbox)


def test_a_refusal_is_permanent_with_blueskys_reason(sandbox, write):
    post = write("Refused")
    fault(sandbox, "bluesky.createRecord", status=400,
          body={"error": "InvalidRequest", "message": "Invalid app.bsky.feed.post record: Record/text is odd"})
    fault(sandbox, "bluesky.getRecord", status=400, body={"error": "RecordNotFound", "message": "Could not locate record"})

    publishing.publish_post(post_id=post.pk)

    channel = channel_of(post)
    assert channel.state == State.FAILED
    assert channel.last_error == "Bluesky refused it: Invalid app.bsky.feed.post record: Record/text is odd"


def test_record_keys_are_valid_tids_in_part_order_and_apart_per_channel():
    at = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    first, second = tid.for_attempt(AttemptKey(7, 1, at)), tid.for_attempt(AttemptKey(7, 2, at))
    other = tid.for_attempt(AttemptKey(8, 1, at))
    assert all(tid.valid(k) for k in (first, second, other))
    assert first < second and first != other
    assert tid.for_attempt(AttemptKey(7, 1, at)) == first  # the same at every attempt
