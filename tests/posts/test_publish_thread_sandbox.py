"""Threads in the X sandbox: part 1, then each part as a reply to the one before, exactly once per
part however the sending is interrupted. publish_post is called directly, as a worker would."""

import datetime as dt

import pytest
import requests
from django.utils import timezone

from posts import publishing, services
from posts.models import ChannelPart, Post, PostChannel
from tests.conftest import PNG_BYTES, sandbox_account, sandbox_control, upload

State = PostChannel.State
PARTS = ["1/3 Spring is here", "2/3 The tulips are out", "3/3 Come and see them"]


@pytest.fixture
def sandbox(x_sandbox, settings):
    settings.PUBLISH_RECONCILE_DELAY_SECONDS = 0
    settings.PUBLISH_RETRY_BASE_SECONDS = 0  # a retry is due at once: the test plays the next worker
    return x_sandbox


def control(sb, route, **body):
    return sandbox_control(sb.url, route, **body)


@pytest.fixture
def x_user(sandbox):
    return control(sandbox, "users", username="alice_x")


@pytest.fixture
def x_account(sandbox, x_user, alice):
    return sandbox_account(sandbox.url, alice, "alice_x", x_user)


@pytest.fixture
def thread(rita, alice, task, x_account):
    """An approved 3-part thread for alice's sandbox account (not yet handed to a worker)."""

    def _make(texts=PARTS, **fields):
        parts = [{"content": text} for text in texts]
        post = services.create_post(
            author=rita, task=task, hashtags=["spring"], account_ids=[x_account.pk], parts=parts, **fields
        )
        services.review_post(actor=alice, post=post, action=1)
        return post

    return _make


def live_tweets(sb):
    return sorted((t for t in sb.state.tweets.values() if not t.deleted), key=lambda t: int(t.id))


def posts_to_x(sb) -> int:
    return requests.get(f"{sb.url}/_sandbox/stats", timeout=5).json()["requests_by_path"].get("POST /2/tweets", 0)


def assert_one_chain(sb, post, texts=PARTS):
    """Exactly one tweet per part on X, each replying to the one before, all recorded in order."""
    tweets = live_tweets(sb)
    assert [t.text for t in tweets] == [texts[0] + "\n\n#spring", *texts[1:]]
    assert [t.reply_to for t in tweets] == [None] + [t.id for t in tweets[:-1]]
    channel = PostChannel.objects.get(post=post)
    assert channel.state == State.PUBLISHED
    assert channel.remote_id == tweets[0].id
    recorded = list(ChannelPart.objects.filter(channel=channel).order_by("part__position"))
    assert [r.remote_id for r in recorded] == [t.id for t in tweets[1:]]
    assert [r.in_reply_to for r in recorded] == [t.id for t in tweets[:-1]]
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_a_thread_arrives_on_x_as_a_reply_chain_with_each_parts_media(sandbox, rita, alice, task, x_account):
    parts = [
        {"content": PARTS[0]},
        {"content": PARTS[1], "media_files": [upload("tulip.png", PNG_BYTES, "image/png")], "alt_texts": ["A tulip"]},
        {"content": PARTS[2]},
    ]
    post = services.create_post(author=rita, task=task, hashtags=["spring"], account_ids=[x_account.pk], parts=parts)
    services.review_post(actor=alice, post=post, action=1)

    publishing.publish_post(post_id=post.pk)

    assert_one_chain(sandbox, post)
    first, second, third = live_tweets(sandbox)
    assert first.media_ids == [] and third.media_ids == []
    [media_id] = second.media_ids
    assert sandbox.state.media[media_id].alt_text == "A tulip"
    assert ChannelPart.objects.get(part__position=2).media_ids == [media_id]
    assert posts_to_x(sandbox) == 3


@pytest.mark.parametrize("failing_part", [1, 2, 3])
def test_a_503_at_any_part_resumes_there_without_resending_earlier_parts(sandbox, thread, failing_part):
    post = thread()
    control(sandbox, "faults/next", path="/2/tweets", method="POST", status=503, after=failing_part - 1)

    publishing.publish_post(post_id=post.pk)

    channel = PostChannel.objects.get(post=post)
    assert channel.state == State.RETRY
    assert len(live_tweets(sandbox)) == failing_part - 1
    assert Post.objects.get(pk=post.pk).status == Post.Status.PROCESSING

    publishing.publish_post(post_id=post.pk)  # the retry

    assert_one_chain(sandbox, post)
    assert posts_to_x(sandbox) == 4  # three tweets and the one refused
    assert PostChannel.objects.get(post=post).attempts == 2


@pytest.mark.parametrize("failing_part", [1, 2, 3])
def test_a_lost_answer_at_any_part_is_found_on_x_and_the_thread_goes_on(sandbox, thread, failing_part):
    post = thread()
    control(sandbox, "faults/next", path="/2/tweets", method="POST", lose_answer=True, after=failing_part - 1)

    publishing.publish_post(post_id=post.pk)

    assert_one_chain(sandbox, post)
    assert posts_to_x(sandbox) == 3  # the lost one was not sent again


@pytest.mark.parametrize("failing_part", [2, 3])
def test_a_lost_answer_that_cannot_be_checked_is_reconciled_by_the_next_worker(
    sandbox, thread, x_user, failing_part
):
    post = thread()
    control(sandbox, "faults/next", path="/2/tweets", method="POST", lose_answer=True, after=failing_part - 1)
    control(sandbox, "faults/next", path=f"/2/users/{x_user['id']}/tweets", status=503)

    publishing.publish_post(post_id=post.pk)

    assert PostChannel.objects.get(post=post).state == State.UNKNOWN
    assert len(live_tweets(sandbox)) == failing_part  # X has it; we do not know yet

    publishing.publish_post(post_id=post.pk)

    assert_one_chain(sandbox, post)
    assert posts_to_x(sandbox) == 3


def _post_as(sb, user, text, reply_to=None):
    body = {"text": text, **({"reply": {"in_reply_to_tweet_id": reply_to}} if reply_to else {})}
    answer = requests.post(
        f"{sb.url}/2/tweets", json=body, headers={"Authorization": f"Bearer {user['oauth2']['access_token']}"}, timeout=5
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]["id"]


def _killed_after_part_1(post, first_id, *, settings):
    """The channel as a worker killed while sending part 2 leaves it: "sending", its lease run
    out, part 1's id recorded, part 2's record without one (its POST may or may not have landed)."""
    settings.PUBLISH_LEASE_SECONDS = 5
    long_ago = timezone.now() - dt.timedelta(seconds=60)
    channel = PostChannel.objects.get(post=post)
    PostChannel.objects.filter(pk=channel.pk).update(
        state=State.SENDING, claimed_at=long_ago, first_attempt_at=long_ago, attempts=1,
        remote_id=first_id, sent_text=PARTS[0] + "\n\n#spring",
    )
    ChannelPart.objects.create(
        channel=channel, part=post.parts.get(position=2), sent_text=PARTS[1], in_reply_to=first_id
    )
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PROCESSING)


def test_a_worker_killed_after_its_part_2_reached_x_resumes_at_part_3(sandbox, thread, x_user, settings):
    post = thread()
    first = _post_as(sandbox, x_user, PARTS[0] + "\n\n#spring")
    _post_as(sandbox, x_user, PARTS[1], reply_to=first)  # the dead worker's POST did land
    _killed_after_part_1(post, first, settings=settings)

    publishing.publish_post(post_id=post.pk)

    assert_one_chain(sandbox, post)
    assert posts_to_x(sandbox) == 3  # two by the dead worker, only part 3 by the next one


def test_a_worker_killed_before_its_part_2_reached_x_sends_part_2_then_3(sandbox, thread, x_user, settings):
    post = thread()
    first = _post_as(sandbox, x_user, PARTS[0] + "\n\n#spring")
    _killed_after_part_1(post, first, settings=settings)

    publishing.publish_post(post_id=post.pk)

    assert_one_chain(sandbox, post)


def test_the_same_text_answering_another_tweet_is_not_taken_for_a_part(sandbox, thread, x_user, settings):
    post = thread()
    first = _post_as(sandbox, x_user, PARTS[0] + "\n\n#spring")
    elsewhere = _post_as(sandbox, x_user, "an older tweet")
    _post_as(sandbox, x_user, PARTS[1], reply_to=elsewhere)  # same text, but answering another tweet
    _killed_after_part_1(post, first, settings=settings)

    publishing.publish_post(post_id=post.pk)

    channel = PostChannel.objects.get(post=post)
    assert ChannelPart.objects.get(channel=channel, part__position=2).remote_id == ""
    # X refuses the same text twice; the reseller is told which part to change.
    assert channel.state == State.FAILED
    assert channel.last_error == "Part 2: X already has this exact text: change it"
    assert posts_to_x(sandbox) == 4  # part 3 was never sent


def test_a_deleted_part_stops_the_thread_instead_of_replying_to_nothing(sandbox, thread, x_user):
    post = thread()
    control(sandbox, "faults/next", path="/2/tweets", method="POST", status=503, after=1)
    publishing.publish_post(post_id=post.pk)
    first = PostChannel.objects.get(post=post).remote_id
    requests.delete(
        f"{sandbox.url}/2/tweets/{first}", headers={"Authorization": f"Bearer {x_user['oauth2']['access_token']}"},
        timeout=5,
    )

    publishing.publish_post(post_id=post.pk)

    channel = PostChannel.objects.get(post=post)
    assert channel.state == State.FAILED
    assert channel.last_error.startswith("Part 2: ")
    assert live_tweets(sandbox) == []
    assert Post.objects.get(pk=post.pk).status == Post.Status.FAILED
