"""LinkedIn: a member connects their profile (OAuth 2.0 code flow, a 60-day token with a warning a
week ahead), and posts reach it exactly once: commentary escaped as little text format, images
uploaded first, a lost answer settled by listing the member's posts, LinkedIn's DUPLICATE_POST to
a retry settled the same way; threads are refused while writing."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from platforms.linkedin import limits
from posts import publishing, services
from posts.models import Post, PostChannel
from socials import services as account_services
from socials.models import Account
from tests.conftest import PNG_BYTES, upload
from tests.platforms.helpers import fault

State = PostChannel.State


@pytest.fixture
def write(rita, alice, task, linkedin_account):
    def _write(content="Spring is here", **fields):
        post = services.create_post(author=rita, task=task, content=content, account_ids=[linkedin_account.pk], **fields)
        services.review_post(actor=alice, post=post, action=1)
        return post

    return _write


def posts(sandbox):
    return sorted(sandbox.state.li_posts.values(), key=lambda p: p["created"])


def test_a_member_connects_their_profile_through_linkedins_consent(client, sandbox, alice):
    client.force_login(alice)
    started = client.post(reverse("platforms:linkedin-connect"))
    assert started["Location"].startswith(f"{sandbox.url}/oauth/v2/authorization?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(started["Location"]).query).items()}
    assert query["scope"] == "openid profile w_member_social"
    consent = requests.post(f"{sandbox.url}/oauth/v2/authorization", allow_redirects=False, timeout=5, data={
        **{k: query[k] for k in ("client_id", "redirect_uri", "scope", "state")}, "name": "Alice Example",
        "decision": "allow"})
    back = urlsplit(consent.headers["Location"])

    page = client.get(f"{back.path}?{back.query}", follow=True)

    account = Account.objects.get(provider="linkedin")
    assert b"Connected LinkedIn account Alice Example" in page.content
    assert account.expires_at > timezone.now() + dt.timedelta(days=59)
    assert account_services.test_connection(actor=alice, account=account).works


def test_the_accounts_page_warns_a_week_before_the_60_days_end(client, alice, linkedin_account):
    client.force_login(alice)
    assert b"access ends on" not in client.get(reverse("socials:accounts")).content
    Account.objects.filter(pk=linkedin_account.pk).update(expires_at=timezone.now() + dt.timedelta(days=5))
    page = client.get(reverse("socials:accounts")).content.decode()
    assert "access ends on" in page and "reconnect before then" in page


def test_a_post_with_an_image_is_published_with_its_commentary_escaped(sandbox, write, linkedin_account):
    post = write("New (and improved) #tulips_2026 @home", media_files=[upload("t.png", PNG_BYTES, "image/png")],
                 alt_texts=["A tulip"])

    publishing.publish_post(post_id=post.pk)

    [made] = posts(sandbox)
    channel = PostChannel.objects.get(post=post)
    assert made["commentary"] == r"New \(and improved\) \#tulips\_2026 \@home"
    assert made["content"]["media"]["altText"] == "A tulip"
    assert sandbox.state.li_images[made["content"]["media"]["id"].removeprefix("urn:li:image:")]["uploaded"]
    assert channel.state == State.PUBLISHED and channel.remote_id == made["id"]
    assert channel.remote_url == f"https://linkedin.test/feed/update/{made['id']}/"


def test_a_lost_answer_is_found_among_the_members_posts_and_not_sent_again(sandbox, write):
    post = write("Lost in the mail")
    fault(sandbox, "linkedin.posts", lose_answer=True)

    publishing.publish_post(post_id=post.pk)

    [made] = posts(sandbox)
    assert PostChannel.objects.get(post=post).remote_id == made["id"]
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_linkedins_duplicate_to_a_retry_is_settled_as_that_post(sandbox, write):
    post = write("Behind a lagging list")
    fault(sandbox, "linkedin.posts", lose_answer=True)
    fault(sandbox, "linkedin.posts_by_author", status=200, body={"elements": [], "paging": {}})

    publishing.publish_post(post_id=post.pk)
    assert PostChannel.objects.get(post=post).state == State.RETRY
    publishing.publish_post(post_id=post.pk)  # LinkedIn answers 422 DUPLICATE_POST; the list shows it

    [made] = posts(sandbox)
    channel = PostChannel.objects.get(post=post)
    assert channel.state == State.PUBLISHED and channel.remote_id == made["id"]


def test_threads_and_long_texts_are_refused_for_linkedin_while_writing(sandbox, rita, task, linkedin_account):
    with pytest.raises(ValidationError) as thread:
        services.create_post(author=rita, task=task, account_ids=[linkedin_account.pk],
                             parts=[{"content": "One"}, {"content": "Two"}])
    with pytest.raises(ValidationError) as long_text:
        services.create_post(author=rita, task=task, content="l" * 3001, account_ids=[linkedin_account.pk])
    assert "LinkedIn has no threads" in str(thread.value)
    assert "Too long for LinkedIn: 3001 characters" in str(long_text.value)


def test_an_expired_token_asks_for_a_reconnect_and_sends_nothing(sandbox, write, linkedin_account):
    post = write("Too late")
    Account.objects.filter(pk=linkedin_account.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    publishing.publish_post(post_id=post.pk)

    linkedin_account.refresh_from_db()
    assert PostChannel.objects.get(post=post).error_kind == "auth"
    assert linkedin_account.state == Account.State.RECONNECT_NEEDED
    assert not posts(sandbox)


def test_a_throttle_waits_until_midnight_utc(sandbox, write, settings):
    settings.PUBLISH_DEADLINE_SECONDS = 2 * 86400  # the engine's own deadline is not under test here
    post = write("Busy day")
    fault(sandbox, "linkedin.posts", status=429)

    publishing.publish_post(post_id=post.pk)

    channel = PostChannel.objects.get(post=post)
    midnight = (timezone.now() + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert channel.state == State.RETRY and channel.error_kind == "rate_limited"
    assert abs((channel.next_attempt_at - midnight).total_seconds()) < 5


def test_little_text_escaping_round_trips():
    text = r"a\b|c{d}e@f[g]h(i)j<k>l#m*n_o~p"
    assert limits.unescape(limits.escape(text)) == text
    assert limits.escape("(x)") == r"\(x\)"
