"""A file is judged by its real size and its whole container, not its first bytes; a client's
posts keep at most MEDIA_QUOTA_PER_CLIENT of media."""

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import MP4_BYTES, PNG_BYTES, mp4_box, upload

FTYP = mp4_box(b"ftyp", b"mp42\x00\x00\x00\x00mp42isom")


def test_sixty_megabytes_of_zeros_behind_an_ftyp_header_is_not_a_video(make_post):
    with pytest.raises(ValidationError) as caught:
        make_post(media_files=[upload("clip.mp4", FTYP + b"\x00" * (60 * 1024 * 1024))])
    assert "not a playable MP4 video" in str(caught.value)


@pytest.mark.parametrize("data", [
    FTYP + mp4_box(b"mdat", b"\x00" * 64),  # no moov
    FTYP + mp4_box(b"moov", mp4_box(b"mvhd", b"\x00" * 100)) + mp4_box(b"mdat", b"\x00" * 8),  # no video track
    MP4_BYTES + b"\x00\x00",  # bytes after the last box
    MP4_BYTES[:-10],  # cut short
    FTYP + (10**6).to_bytes(4, "big") + b"moov",  # a box larger than the file
], ids=["no-moov", "no-video-track", "trailing-bytes", "truncated", "oversized-box"])
def test_a_broken_mp4_container_is_refused(make_post, data):
    with pytest.raises(ValidationError, match="not a playable MP4 video"):
        make_post(media_files=[upload("clip.mp4", data)])


def test_a_well_formed_mp4_with_a_video_track_is_accepted(make_post):
    media = make_post(media_files=[upload("clip.mp4", MP4_BYTES)]).media.get()
    assert (media.kind, media.size) == ("video", len(MP4_BYTES))
    assert media.file.name.endswith(".mp4")


def test_the_size_checked_is_the_files_real_size_not_the_claimed_one(make_post):
    big = upload("big.png", PNG_BYTES + b"\x00" * (5 * 1024 * 1024))
    big.size = 10  # what an upload handler or caller claims
    with pytest.raises(ValidationError, match="X takes image files up to 5 MB"):
        make_post(media_files=[big])


def test_a_clients_posts_keep_no_more_media_than_the_quota(make_post, settings):
    settings.MEDIA_QUOTA_PER_CLIENT = len(PNG_BYTES) * 2
    make_post(media_files=[upload("a.png", PNG_BYTES)])
    make_post(media_files=[upload("b.png", PNG_BYTES)])
    with pytest.raises(ValidationError) as caught:
        make_post(media_files=[upload("c.png", PNG_BYTES)])
    assert caught.value.message_dict["media"][0].startswith("This client's posts already keep")


def test_the_quota_counts_thread_parts_and_is_per_client(make_post, settings, bob_task, rex, bob_account, png):
    from posts import services

    settings.MEDIA_QUOTA_PER_CLIENT = len(PNG_BYTES)
    make_post(content="", hashtags=[], parts=[{"content": "one"}, {"content": "two", "media_files": [png]}])
    with pytest.raises(ValidationError):
        make_post(media_files=[upload("c.png", PNG_BYTES)])
    other = services.create_post(author=rex, task=bob_task, content="Bread", account_ids=[bob_account.pk],
                                 media_files=[upload("d.png", PNG_BYTES)])
    assert other.media.count() == 1
