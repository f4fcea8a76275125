"""Instagram: a client connects a professional account through Instagram Login (a 60-day token,
renewed on use), and posts reach it exactly once through media containers that Instagram (here
the sandbox) fetches from the app's signed links: an image, a carousel, its rules refused while
writing, its errors read as the engine's kinds, an unreachable file explained, and a lost
media_publish answer settled by the container's status_code without a second post."""

import datetime as dt
import struct
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from posts import publishing, services
from posts.models import Post, PostChannel
from socials import services as account_services
from socials.models import Account
from tests.conftest import MP4_BYTES, PNG_BYTES, upload
from tests.platforms.helpers import control, fault

State = PostChannel.State


def jpeg(width: int = 1080, height: int = 1080) -> bytes:
    """The smallest JPEG whose header gives its size: SOI, a JFIF APP0, a baseline SOF0, EOI."""
    return (b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            + b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
            + b"\xff\xd9")


def photo(name="tulips.jpg", **size):
    return upload(name, jpeg(**size), "image/jpeg")


@pytest.fixture
def write(approved_post, instagram_account):
    """An approved post for alice's Instagram account, with one photo unless given media: Instagram needs one."""

    def _write(content, media=None, **fields):
        return approved_post(instagram_account, content=content, media_files=[photo()] if media is None else media, **fields)

    return _write


def published(sandbox) -> list[dict]:
    return sorted(sandbox.state.ig_media.values(), key=lambda m: m["created"])


def test_a_client_connects_a_professional_account_through_instagram_login(client, sandbox, alice):
    client.force_login(alice)
    started = client.post(reverse("platforms:instagram-connect"))
    assert started["Location"].startswith(f"{sandbox.url}/ig/www/oauth/authorize?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(started["Location"]).query).items()}
    assert query["scope"] == "instagram_business_basic,instagram_business_content_publish"
    consent = requests.post(f"{sandbox.url}/ig/www/oauth/authorize", allow_redirects=False, timeout=5, data={
        **{k: query[k] for k in ("client_id", "redirect_uri", "scope", "state")}, "username": "tulip.studio",
        "decision": "allow"})
    back = urlsplit(consent.headers["Location"])

    page = client.get(f"{back.path}?{back.query}", follow=True)

    account = Account.objects.get(provider="instagram")
    assert b"Connected Instagram account @tulip.studio" in page.content
    assert account.expires_at > timezone.now() + dt.timedelta(days=59)  # the 60-day token, not the hour-long one
    assert account.provider_account_id == sandbox.state.instagram_user("tulip.studio")["user_id"]
    assert account_services.test_connection(actor=alice, account=account).works


def test_declining_on_instagram_connects_nothing(client, sandbox, alice):
    client.force_login(alice)
    started = client.post(reverse("platforms:instagram-connect"))
    query = {k: v[0] for k, v in parse_qs(urlsplit(started["Location"]).query).items()}
    consent = requests.post(f"{sandbox.url}/ig/www/oauth/authorize", allow_redirects=False, timeout=5, data={
        **{k: query[k] for k in ("client_id", "redirect_uri", "scope", "state")}, "decision": "cancel"})
    back = urlsplit(consent.headers["Location"])

    page = client.get(f"{back.path}?{back.query}", follow=True)

    assert b"You did not approve SocialHub on Instagram" in page.content
    assert not Account.objects.filter(provider="instagram").exists()


@pytest.mark.django_db(transaction=True)
def test_an_image_is_fetched_by_instagram_from_a_signed_link_and_published(sandbox, site, write):
    post = write("Tulips in bloom #spring", media=[photo(width=1080, height=1350)], alt_texts=["Red tulips"])

    publishing.publish_post(post_id=post.pk)

    [made] = published(sandbox)
    [container] = sandbox.state.ig_containers.values()
    channel = PostChannel.objects.get(post=post)
    assert made["caption"] == "Tulips in bloom #spring"
    assert container["url"].startswith(f"{site}/media/post/") and "signature=" in container["url"]
    assert container["alt_text"] == "Red tulips"
    assert channel.state == State.PUBLISHED and channel.remote_id == made["id"]
    assert channel.remote_url == f"https://www.instagram.test/p/{made['id']}/"


@pytest.mark.django_db(transaction=True)
def test_several_images_go_as_one_carousel(sandbox, site, write):
    post = write("Three tulips", media=[photo("a.jpg"), photo("b.jpg"), photo("c.jpg", width=1200, height=628)])

    publishing.publish_post(post_id=post.pk)

    [made] = published(sandbox)
    assert made["media_type"] == "CAROUSEL" and len(made["children"]) == 3
    assert PostChannel.objects.get(post=post).remote_id == made["id"]


@pytest.mark.django_db(transaction=True)
def test_a_video_goes_as_a_reel_once_instagram_has_processed_it(sandbox, site, write):
    post = write("Tulips in motion", media=[upload("tulips.mp4", MP4_BYTES, "video/mp4")])

    publishing.publish_post(post_id=post.pk)

    [made] = published(sandbox)
    [container] = sandbox.state.ig_containers.values()
    assert made["media_type"] == "REELS" and container["looks"] >= 2  # IN_PROGRESS at first, then FINISHED
    assert PostChannel.objects.get(post=post).state == State.PUBLISHED


def test_instagrams_rules_are_refused_while_writing(sandbox, rita, task, instagram_account):
    def refused(content="Fine", media=()):
        with pytest.raises(ValidationError) as error:
            services.create_post(author=rita, task=task, content=content, account_ids=[instagram_account.pk],
                                 media_files=list(media))
        return " ".join(error.value.messages)

    assert "Instagram needs at least one image or video" in refused()
    assert "Instagram takes JPEG images only" in refused(media=[upload("t.png", PNG_BYTES, "image/png")])
    assert "Too many hashtags for Instagram: 31" in refused(" ".join(f"#tag{i}" for i in range(31)), [photo()])
    assert "Too long for Instagram: 2201 characters" in refused("i" * 2201, [photo()])
    assert "Instagram takes aspect ratios from 4:5" in refused(media=[photo(width=3000, height=1000)])
    assert not Post.objects.exists()


def test_a_thread_is_refused_for_instagram_while_writing(sandbox, rita, task, instagram_account):
    with pytest.raises(ValidationError) as error:
        services.create_post(author=rita, task=task, account_ids=[instagram_account.pk],
                             parts=[{"content": "One", "media_files": [photo()]}, {"content": "Two"}])
    assert "Instagram has no threads" in str(error.value)


def test_the_composer_previews_the_caption_with_its_count_and_says_it_needs_an_image(
    client, sandbox, rita, task, instagram_account, mastodon_account
):
    client.force_login(rita)
    page = client.get(reverse("posts:compose") + f"?task={task.pk}").content.decode()
    answer = client.post(reverse("posts:preview"), {
        "content": "Tulips", "hashtags": "spring", "accounts": [instagram_account.pk, mastodon_account.pk],
    }).json()

    instagram = {n["provider"]: n for n in answer["networks"]}["instagram"]
    assert "Text for Instagram" in page and "Needs an image" in page
    assert instagram["text"] == "Tulips\n\n#spring" and instagram["used"] == 15 and instagram["allowed"] == 2200
    assert instagram["note"].startswith("Needs an image")


@pytest.mark.django_db(transaction=True)
def test_a_file_instagram_cannot_fetch_fails_saying_why(sandbox, write, settings):
    settings.SITE_URL = "http://127.0.0.1:9"  # nothing listens there: as a server the internet cannot reach
    post = write("Nobody can see this")

    publishing.publish_post(post_id=post.pk)

    channel = PostChannel.objects.get(post=post)
    assert channel.state == State.FAILED and channel.error_kind == "media"
    assert channel.last_error.startswith("Instagram could not fetch the image at http://127.0.0.1:9/media/post/")
    assert "SITE_URL (http://127.0.0.1:9) must be reachable from the internet" in channel.last_error
    assert "signature" not in channel.last_error
    assert not published(sandbox)


@pytest.mark.django_db(transaction=True)
def test_a_lost_media_publish_answer_is_settled_by_the_container_without_a_second_post(sandbox, site, write):
    post = write("Lost in the mail")
    fault(sandbox, "instagram.media_publish", lose_answer=True)

    publishing.publish_post(post_id=post.pk)

    [made] = published(sandbox)
    channel = PostChannel.objects.get(post=post)
    assert channel.state == State.PUBLISHED and channel.remote_id == made["id"]
    assert len(sandbox.state.ig_containers) == 1
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_a_retry_publishes_the_stored_container_not_a_new_one(sandbox, site, write):
    post = write("Second time lucky")
    fault(sandbox, "instagram.media_publish", status=503)

    publishing.publish_post(post_id=post.pk)
    assert PostChannel.objects.get(post=post).state in (State.RETRY, State.UNKNOWN)
    publishing.publish_post(post_id=post.pk)

    [made] = published(sandbox)
    assert len(sandbox.state.ig_containers) == 1 and made["container_id"] in sandbox.state.ig_containers
    assert PostChannel.objects.get(post=post).state == State.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_a_rate_limit_waits_until_instagram_says(sandbox, site, write):
    post = write("Busy hour")
    fault(sandbox, "instagram.media_publish", status=429, reset_in=1800)

    publishing.publish_post(post_id=post.pk)

    channel = PostChannel.objects.get(post=post)
    assert channel.state == State.RETRY and channel.error_kind == "rate_limited"
    assert abs((channel.next_attempt_at - (timezone.now() + dt.timedelta(minutes=30))).total_seconds()) < 10
    assert channel.attempts <= 1 and not published(sandbox)


@pytest.mark.django_db(transaction=True)
def test_a_spent_daily_quota_waits_until_its_oldest_post_is_a_day_old(sandbox, site, write, settings):
    settings.PUBLISH_DEADLINE_SECONDS = 2 * 86400  # the engine's own deadline is not under test here
    control(sandbox, "instagram/config", quota_total=1)
    first, second = write("First of the day"), write("One too many")
    publishing.publish_post(post_id=first.pk)

    publishing.publish_post(post_id=second.pk)

    [made] = published(sandbox)
    channel = PostChannel.objects.get(post=second)
    assert channel.state == State.RETRY and channel.error_kind == "rate_limited"
    assert "limit of 1 posts per 24 hours" in channel.last_error
    day_later = dt.datetime.fromtimestamp(made["created"], tz=dt.UTC) + dt.timedelta(hours=24)
    assert abs((channel.next_attempt_at - day_later).total_seconds()) < 5


def test_an_expired_token_asks_for_a_reconnect_and_sends_nothing(sandbox, write, instagram_account):
    post = write("Too late")
    control(sandbox, "instagram/expire")

    publishing.publish_post(post_id=post.pk)

    instagram_account.refresh_from_db()
    channel = PostChannel.objects.get(post=post)
    assert channel.state == State.FAILED and channel.error_kind == "auth"
    assert instagram_account.state == Account.State.RECONNECT_NEEDED
    assert "reconnect the account" in instagram_account.state_message
    assert not sandbox.state.ig_containers


def test_a_token_with_less_than_30_days_left_is_renewed_on_use(sandbox, alice, instagram_account):
    Account.objects.filter(pk=instagram_account.pk).update(expires_at=timezone.now() + dt.timedelta(days=10))
    instagram_account.refresh_from_db()
    old = instagram_account.oauth2_access_token

    assert account_services.test_connection(actor=alice, account=instagram_account).works

    instagram_account.refresh_from_db()
    assert sandbox.state.ig_refreshes == 1 and instagram_account.oauth2_access_token != old
    assert instagram_account.expires_at > timezone.now() + dt.timedelta(days=59)


def test_the_accounts_page_warns_a_week_before_an_idle_token_ends(client, alice, instagram_account):
    client.force_login(alice)
    Account.objects.filter(pk=instagram_account.pk).update(expires_at=timezone.now() + dt.timedelta(days=5))
    page = client.get(reverse("socials:accounts")).content.decode()
    assert "Instagram&#x27;s access ends on" in page and "test the connection to renew it" in page


@pytest.mark.django_db(transaction=True)
def test_every_instagram_post_is_published_exactly_once_while_instagram_fails_and_loses_answers(
    sandbox, site, rita, alice, task, instagram_account, settings
):
    settings.PUBLISH_MAX_ATTEMPTS = 20
    control(sandbox, "chaos", fail_rate=0.2, lose_rate=0.3, seed=7)
    ids = []
    for i in range(12):
        post = services.create_post(author=rita, task=task, content=f"Chaos post {i} #tulips",
                                    account_ids=[instagram_account.pk], media_files=[photo()])
        services.review_post(actor=alice, post=post, action=1)
        ids.append(post.pk)

    for _round in range(20):
        publishing.publish_posts(post_ids=ids, threads=4)
        pending = PostChannel.objects.exclude(state__in=[State.PUBLISHED, State.FAILED])
        if not pending.exists():
            break
        pending.update(next_attempt_at=timezone.now())  # the next round plays the later worker

    captions = [m["caption"] for m in sandbox.state.ig_media.values()]
    assert sandbox.state.injected["failed"] >= 2 and sandbox.state.injected["lost"] >= 2
    assert len(captions) == len(set(captions)) == 12  # no duplicate, nothing lost
    assert set(PostChannel.objects.values_list("state", flat=True)) == {State.PUBLISHED}
    assert set(PostChannel.objects.values_list("remote_id", flat=True)) == set(sandbox.state.ig_media)


def test_staff_see_each_attempts_container_in_the_admin(client, sam, instagram_account):
    from platforms.models import InstagramContainer

    InstagramContainer.objects.create(key="socialhub-7-1-1764500000000000", account=instagram_account,
                                      container_id="17889615691921234", created_at=timezone.now())
    client.force_login(sam)
    page = client.get("/admin/platforms/instagramcontainer/").content.decode()
    assert "17889615691921234" in page and "socialhub-7-1-1764500000000000" in page
    assert instagram_account.oauth2_access_token not in page


@pytest.mark.django_db(transaction=True)
def test_the_metrics_job_reads_a_post_s_likes_and_comments_and_marks_a_deleted_one_unavailable(
    client, alice, sandbox, site, write
):
    from posts import metrics

    post = write("Tulips in bloom")
    publishing.publish_post(post_id=post.pk)
    channel = PostChannel.objects.get(post=post)
    control(sandbox, "counts", id=channel.remote_id, like_count=11, comments_count=3)

    assert metrics.refresh_metrics().updated == 1

    channel.refresh_from_db()
    assert channel.metrics == {"likes": 11, "replies": 3}
    client.force_login(alice)
    assert "11 likes" in client.get(f"/posts/{post.pk}/").content.decode()
    del sandbox.state.ig_media[channel.remote_id]
    run = metrics.refresh_metrics(now=timezone.now() + dt.timedelta(hours=2))
    channel.refresh_from_db()
    assert run.unavailable == 1 and channel.metrics == {"likes": 11, "replies": 3, "unavailable": True}


@pytest.mark.django_db(transaction=True)
def test_a_rate_limited_instagram_account_s_counts_wait_for_the_next_run(sandbox, site, write):
    from posts import metrics

    post = write("Tulips in bloom")
    publishing.publish_post(post_id=post.pk)
    fault(sandbox, "instagram.container", status=429)

    assert (metrics.refresh_metrics().skipped, metrics.refresh_metrics().updated) == (1, 1)
    assert PostChannel.objects.get(post=post).metrics == {"likes": 0, "replies": 0}
