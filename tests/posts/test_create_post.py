import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from posts.models import Post, PostChannel
from socials.error_kinds import NOT_CONNECTED, TOO_LONG
from socials.models import Account
from tests.conftest import GIF_BYTES, MP4_BYTES, PNG_BYTES, make_account, upload


def field_errors(exc_info) -> dict:
    return exc_info.value.message_dict


def test_reseller_creates_a_pending_post_with_one_channel_per_account(make_post, alice_account):
    post = make_post(hashtags=["#Spring", "launch", "spring"])

    assert post.status == Post.Status.PENDING == 0
    assert post.hashtags == ["Spring", "launch"]
    assert [c.account for c in post.channels.all()] == [alice_account]
    assert post.channels.get().state == PostChannel.State.QUEUED
    assert post.full_text == "Spring is here\n\n#Spring #launch"


def test_text_over_280_weighted_characters_is_refused_with_the_seeds_message(make_post):
    with pytest.raises(ValidationError) as exc:
        make_post(content="a" * 281, hashtags=[])
    assert field_errors(exc) == {"content": [TOO_LONG]}


def test_hashtags_count_towards_the_limit(make_post):
    with pytest.raises(ValidationError) as exc:
        make_post(content="a" * 270, hashtags=["tenletters"])
    assert field_errors(exc)["content"] == [TOO_LONG]


def test_emoji_and_cjk_weigh_two_and_urls_weigh_23(make_post):
    # 140 CJK characters weigh 280: allowed. One more is not.
    assert make_post(content="日" * 140, hashtags=[]).status == Post.Status.PENDING
    with pytest.raises(ValidationError):
        make_post(content="日" * 141, hashtags=[])
    long_url = "https://example.com/" + "x" * 300
    assert make_post(content=f"Read {long_url}", hashtags=[]).pk


def test_a_post_needs_at_least_one_channel(make_post):
    with pytest.raises(ValidationError) as exc:
        make_post(account_ids=[])
    assert "post_channels" in field_errors(exc)


def test_channels_must_belong_to_the_client(make_post, bob_account):
    with pytest.raises(ValidationError) as exc:
        make_post(account_ids=[bob_account.pk])
    assert field_errors(exc) == {"post_channels": [NOT_CONNECTED]}


def test_a_client_without_a_connected_account_gets_the_seeds_message(make_post, alice):
    gone = make_account(alice, "alice_old", state=Account.State.DISCONNECTED)
    with pytest.raises(ValidationError) as exc:
        make_post(account_ids=[gone.pk])
    assert field_errors(exc) == {"post_channels": [NOT_CONNECTED]}


def test_a_read_only_account_cannot_be_the_only_channel(make_post, alice):
    reader = make_account(alice, "alice_reader", token_type=Account.TokenType.BEARER, access_token="app")
    with pytest.raises(ValidationError) as exc:
        make_post(account_ids=[reader.pk])
    assert field_errors(exc) == {"post_channels": [NOT_CONNECTED]}


def test_schedule_in_the_past_is_refused(make_post):
    with pytest.raises(ValidationError) as exc:
        make_post(schedule_at=timezone.now() - dt.timedelta(minutes=1))
    assert "schedule_at" in field_errors(exc)


def test_schedule_is_stored_in_utc(make_post):
    tokyo = dt.timezone(dt.timedelta(hours=9))
    when = (timezone.now() + dt.timedelta(days=1)).astimezone(tokyo)
    post = make_post(schedule_at=when)
    post.refresh_from_db()
    assert post.schedule_at == when
    assert post.schedule_at.utcoffset() == dt.timedelta(0)


def test_invalid_hashtag_is_refused(make_post):
    with pytest.raises(ValidationError) as exc:
        make_post(hashtags=["2024"])
    assert "hashtags" in field_errors(exc)


def test_empty_post_is_refused(make_post):
    with pytest.raises(ValidationError) as exc:
        make_post(content="   ", hashtags=[])
    assert "content" in field_errors(exc)


def test_images_are_saved_with_alt_text_in_order(make_post):
    post = make_post(
        media_files=[upload("a.png", PNG_BYTES), upload("b.png", PNG_BYTES)],
        alt_texts=["First", "Second"],
    )
    media = list(post.media.all())
    assert [(m.kind, m.mime_type, m.alt_text, m.order) for m in media] == [
        ("image", "image/png", "First", 0),
        ("image", "image/png", "Second", 1),
    ]
    assert media[0].file.read() == PNG_BYTES


def test_file_type_is_judged_by_content_not_name(make_post):
    with pytest.raises(ValidationError) as exc:
        make_post(media_files=[upload("photo.png", b"<?php echo 'not an image'; ?>", "image/png")])
    assert "not a supported file" in field_errors(exc)["media"][0]
    assert not Post.objects.exists()


def test_a_gif_or_video_must_be_alone(make_post):
    with pytest.raises(ValidationError) as exc:
        make_post(media_files=[upload("a.gif", GIF_BYTES), upload("b.png", PNG_BYTES)])
    assert "only attachment" in field_errors(exc)["media"][0]
    assert make_post(media_files=[upload("clip.mp4", MP4_BYTES)]).media.get().kind == "video"


def test_at_most_four_images(make_post):
    with pytest.raises(ValidationError) as exc:
        make_post(media_files=[upload(f"{i}.png", PNG_BYTES) for i in range(5)])
    assert "at most 4 images" in field_errors(exc)["media"][0]


def test_oversized_image_is_refused(make_post):
    big = upload("big.png", PNG_BYTES + b"\x00" * (5 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        make_post(media_files=[big])
    assert "up to 5 MB" in field_errors(exc)["media"][0]


def test_media_alone_without_text_is_a_valid_post(make_post):
    post = make_post(content="", hashtags=[], media_files=[upload("a.png", PNG_BYTES)])
    assert post.full_text == ""
