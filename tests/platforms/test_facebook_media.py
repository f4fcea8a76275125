"""Facebook Pages' photos carry their alt text (alt_text_custom), and a video goes out as a video
post that Facebook fetches from a signed link of ours (POST /{page-id}/videos with file_url),
exactly once: a lost answer is settled by the page's videos, which list a video at once, even
while its post has not reached the page's feed. One video per post, never with photos."""

from types import SimpleNamespace

import pytest

from platforms.facebook import limits
from posts import metrics, publishing
from posts.models import Post, PostChannel
from tests.conftest import MP4_BYTES, PNG_BYTES, upload
from tests.platforms.helpers import control, fault, read

State = PostChannel.State
live = pytest.mark.django_db(transaction=True)  # the live server (SITE_URL) shares the database


def video():
    return upload("loaves.mp4", MP4_BYTES, "video/mp4")


def test_photos_carry_their_alt_text_to_facebook(sandbox, facebook_post):
    post = facebook_post("Two loaves", media_files=[upload("a.png", PNG_BYTES, "image/png"), upload("b.png", PNG_BYTES, "image/png")],
                         alt_texts=["A sourdough loaf on a board", ""])

    publishing.publish_post(post_id=post.pk)

    [made] = sandbox.state.fb_posts.values()
    assert [sandbox.state.fb_photos[p]["alt_text_custom"] for p in made["photos"]] == ["A sourdough loaf on a board", ""]


@live
def test_a_video_is_posted_from_a_signed_link_as_one_video_post(sandbox, site, facebook_post, facebook_account):
    post = facebook_post("The oven at dawn", media_files=[video()])

    publishing.publish_post(post_id=post.pk)

    [made] = sandbox.state.fb_videos.values()
    channel = PostChannel.objects.get(post=post)
    assert made["description"] == "The oven at dawn" and made["size"] == len(MP4_BYTES)
    assert not sandbox.state.fb_posts and not sandbox.state.fb_photos  # no /feed post, no photo
    assert channel.state == State.PUBLISHED and channel.remote_id == made["id"]
    assert channel.remote_url == f"https://facebook.test/{facebook_account.provider_account_id}/videos/{made['id']}"


@live
def test_a_lost_video_answer_is_found_among_the_pages_videos_before_its_post_is_in_the_feed(sandbox, site, facebook_post):
    control(sandbox, "facebook/config", video_processing=3600)  # its post is not in the feed yet
    post = facebook_post("Lost in the oven", media_files=[video()])
    fault(sandbox, "facebook.videos", lose_answer=True)

    publishing.publish_post(post_id=post.pk)

    [made] = sandbox.state.fb_videos.values()
    assert PostChannel.objects.get(post=post).remote_id == made["id"]
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


@live
def test_a_video_facebook_cannot_fetch_fails_saying_why(sandbox, facebook_post, settings):
    settings.SITE_URL = "http://127.0.0.1:9"  # nothing listens there: as a server the internet cannot reach
    post = facebook_post("Nobody can see this", media_files=[video()])

    publishing.publish_post(post_id=post.pk)

    channel = PostChannel.objects.get(post=post)
    assert channel.state == State.FAILED and channel.error_kind == "media"
    assert channel.last_error.startswith("Facebook could not fetch the video at http://127.0.0.1:9/media/post/")
    assert "SITE_URL (http://127.0.0.1:9) must be reachable from the internet" in channel.last_error
    assert not sandbox.state.fb_videos


@live
def test_a_video_post_s_reactions_and_comments_are_read_without_shares(sandbox, site, facebook_post, facebook_account):
    publishing.publish_post(post_id=facebook_post("Counted", media_files=[video()]).pk)
    publishing.publish_post(post_id=facebook_post("A text post beside it").pk)
    channels = {c.remote_id: c for c in PostChannel.objects.all()}
    [video_id] = sandbox.state.fb_videos
    control(sandbox, "counts", id=video_id, reactions=7, comments=2)

    assert metrics.refresh_metrics().updated == 2

    assert read(channels[video_id]) == {"likes": 7, "replies": 2, "reposts": 0}


def item(kind, mime_type, size=1000):
    return SimpleNamespace(kind=kind, mime_type=mime_type, size=size)


def test_facebook_takes_one_video_alone():
    assert limits.media_problem([item("video", "video/mp4")]) == ""
    assert "one video per post, without photos" in limits.media_problem(
        [item("video", "video/mp4"), item("image", "image/png")])
    assert "one video per post" in limits.media_problem([item("video", "video/mp4")] * 2)
    assert limits.media_problem([item("video", "video/mp4", size=2 * 1024**3)]) == "Facebook takes videos up to 1 GB"
