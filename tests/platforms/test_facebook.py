"""Facebook Pages: a client logs in with Facebook (allauth's provider, pointed at the sandbox),
chooses which of their pages to connect, and posts reach each page exactly once: text and link
posts, photos uploaded unpublished then attached, a lost answer settled by reading the page's
published posts, Facebook's 506 to a retry settled the same way; throttles wait until Facebook
says, an expired token asks for a reconnect, a transient failure is retried."""

import datetime as dt
import hashlib
import hmac
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from platforms.facebook import client as graph
from posts import publishing, services
from posts.models import Post, PostChannel
from socials import services as account_services
from socials.models import Account
from socials.publishers import PublishError
from tests.conftest import PNG_BYTES, upload
from tests.platforms.helpers import control, fault

State = PostChannel.State
# A 1x1 lossless WebP (RIFF, WEBP, a VP8L chunk): a type Facebook Pages are not sent.
WEBP_BYTES = (b"RIFF" + (26).to_bytes(4, "little") + b"WEBPVP8L" + (13).to_bytes(4, "little")
              + b"\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")


def posts(sandbox):
    return sorted(sandbox.state.fb_posts.values(), key=lambda p: p["created"])


def log_in_with_facebook(client, sandbox, *, decision="allow", name="Alice Example"):
    """The connect button, Facebook's dialog (sandbox), and the way back to SocialHub."""
    assert b"Continue to Facebook" in client.get(reverse("platforms:facebook-connect")).content
    started = client.post("/accounts/facebook/login/", {"process": "connect"})
    assert started["Location"].startswith(f"{sandbox.url}/v26.0/dialog/oauth?"), started
    query = {k: v[0] for k, v in parse_qs(urlsplit(started["Location"]).query).items()}
    assert set(query["scope"].split(",")) == {"pages_show_list", "pages_manage_posts", "pages_read_engagement"}
    consent = requests.post(f"{sandbox.url}/v26.0/dialog/oauth", allow_redirects=False, timeout=5, data={
        **{k: query[k] for k in ("client_id", "redirect_uri", "scope", "state")}, "name": name, "decision": decision})
    back = urlsplit(consent.headers["Location"])
    return client.get(f"{back.path}?{back.query}", follow=True)


def test_a_client_connects_the_pages_they_choose_with_their_page_tokens(client, sandbox, alice):
    client.force_login(alice)

    chooser = log_in_with_facebook(client, sandbox).content.decode()
    assert "Choose your Facebook Pages" in chooser
    assert "Alice&#x27;s Bakery" in chooser and "Alice&#x27;s Garden" in chooser
    bakery = next(p for p in sandbox.state.fb_pages.values() if p["name"] == "Alice's Bakery")
    page = client.post(reverse("platforms:facebook-pages"), {"pages": [bakery["id"]]}, follow=True).content.decode()

    [account] = Account.objects.filter(user=alice)
    assert "Connected Facebook Page Alice&#x27;s Bakery." in page
    assert account.provider == "facebook" and account.provider_account_id == bakery["id"]
    grant = sandbox.state.fb_tokens[account.oauth2_access_token]
    assert grant["kind"] == "page" and grant["page_id"] == bakery["id"] and not grant["expires"]  # never expires
    with connection.cursor() as cursor:
        cursor.execute("SELECT oauth2_access_token FROM socials_account WHERE id = %s", [account.pk])
        assert cursor.fetchone()[0] != account.oauth2_access_token  # encrypted at rest
    assert "facebook_pages" not in client.session  # the other page's token is not kept
    report = account_services.test_connection(actor=alice, account=account)
    assert report.works and "Alice's Bakery" in report.message
    accounts_page = client.get(reverse("socials:accounts")).content.decode()
    assert "Connect Facebook Page account" in accounts_page and "<td>Facebook Page</td>" in accounts_page
    row = f'<th scope="row"><a href="{reverse("socials:account", args=[account.pk])}">Alice&#x27;s Bakery</a></th>'
    assert row in accounts_page  # named once: the page's name is its label


def test_reconnecting_renews_the_ticked_pages_token(client, sandbox, alice, facebook_account):
    control(sandbox, "facebook/expire", page_id=facebook_account.provider_account_id)
    Account.objects.filter(pk=facebook_account.pk).update(state=Account.State.RECONNECT_NEEDED)
    client.force_login(alice)

    chooser = log_in_with_facebook(client, sandbox).content.decode()
    assert re.search(rf'value="{facebook_account.provider_account_id}"[^>]*checked', chooser)  # ticked already
    page = client.post(reverse("platforms:facebook-pages"), {"pages": [facebook_account.provider_account_id]},
                       follow=True).content.decode()

    account = Account.objects.get(pk=facebook_account.pk)
    assert "Reconnected Facebook Page" in page and account.state == Account.State.CONNECTED
    assert account.oauth2_access_token != facebook_account.oauth2_access_token
    assert account_services.test_connection(actor=alice, account=account).works


def test_choosing_no_page_says_so_next_to_the_choice(client, sandbox, alice):
    client.force_login(alice)
    log_in_with_facebook(client, sandbox)

    page = client.post(reverse("platforms:facebook-pages"), {}).content.decode()

    assert 'id="pages-errors"' in page and "Choose at least one Page to connect." in page
    assert not Account.objects.exists()


def test_a_cancelled_login_connects_nothing(client, sandbox, alice):
    client.force_login(alice)

    page = log_in_with_facebook(client, sandbox, decision="cancel").content.decode()

    assert "Connecting Facebook was cancelled: nothing changed." in page
    assert not Account.objects.exists()


def test_nobody_signs_in_with_facebook(client, sandbox, rita):
    client.force_login(rita)  # a reseller: pages belong to clients
    answer = client.post("/accounts/facebook/login/", {"process": "connect"}, follow=True)
    assert "connected by clients" in answer.content.decode()


def test_a_text_post_with_a_link_is_published_as_a_link_post(sandbox, facebook_post, facebook_account):
    post = facebook_post("New loaves today: https://bakery.example/menu.")

    publishing.publish_post(post_id=post.pk)

    [made] = posts(sandbox)
    channel = PostChannel.objects.get(post=post)
    assert made["message"] == "New loaves today: https://bakery.example/menu."
    assert made["link"] == "https://bakery.example/menu"
    assert channel.state == State.PUBLISHED and channel.remote_id == made["id"]
    page_id, post_id = made["id"].split("_")
    assert channel.remote_url == f"https://facebook.test/{page_id}/posts/{post_id}"


def test_photos_are_uploaded_unpublished_then_attached_to_one_post(sandbox, facebook_post):
    post = facebook_post("Two loaves", media_files=[upload("a.png", PNG_BYTES, "image/png"), upload("b.png", PNG_BYTES, "image/png")])

    publishing.publish_post(post_id=post.pk)

    [made] = posts(sandbox)
    assert made["message"] == "Two loaves" and len(made["photos"]) == 2 and not made["link"]
    assert all(sandbox.state.fb_photos[p]["published"] for p in made["photos"])
    assert PostChannel.objects.get(post=post).state == State.PUBLISHED


def test_a_lost_answer_is_found_among_the_pages_posts_and_not_sent_again(sandbox, facebook_post):
    post = facebook_post("Lost in the oven")
    fault(sandbox, "facebook.feed", lose_answer=True)

    publishing.publish_post(post_id=post.pk)

    [made] = posts(sandbox)
    assert PostChannel.objects.get(post=post).remote_id == made["id"]
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_facebooks_duplicate_to_a_retry_is_settled_as_that_post(sandbox, facebook_post):
    post = facebook_post("Behind a lagging list")
    fault(sandbox, "facebook.feed", lose_answer=True)
    fault(sandbox, "facebook.published_posts", status=200, body={"data": [], "paging": {}})

    publishing.publish_post(post_id=post.pk)
    assert PostChannel.objects.get(post=post).state == State.RETRY
    publishing.publish_post(post_id=post.pk)  # Facebook answers 506; the page's posts show it

    [made] = posts(sandbox)
    channel = PostChannel.objects.get(post=post)
    assert channel.state == State.PUBLISHED and channel.remote_id == made["id"]


def test_a_throttle_waits_as_long_as_facebook_estimates(sandbox, facebook_post):
    post = facebook_post("Busy morning")
    fault(sandbox, "facebook.feed", status=400, code=80001, regain_in=30)

    publishing.publish_post(post_id=post.pk)

    channel = PostChannel.objects.get(post=post)
    assert channel.state == State.RETRY and channel.error_kind == "rate_limited"
    expected = timezone.now() + dt.timedelta(minutes=30)
    assert abs((channel.next_attempt_at - expected).total_seconds()) < 10
    assert not posts(sandbox)


def test_a_page_over_its_hourly_calls_is_throttled_by_the_sandbox(sandbox, facebook_account):
    control(sandbox, "facebook/config", rate_limit=1)
    api = graph.Graph(facebook_account.oauth2_access_token, account=facebook_account)
    api.page(facebook_account.provider_account_id)
    with pytest.raises(PublishError) as throttled:
        api.page(facebook_account.provider_account_id)
    assert throttled.value.kind == "rate_limited"
    assert throttled.value.retry_at > timezone.now() + dt.timedelta(minutes=50)


def test_an_expired_token_asks_for_a_reconnect_and_sends_nothing(sandbox, facebook_post, facebook_account, alice):
    post = facebook_post("Too late")
    control(sandbox, "facebook/expire", page_id=facebook_account.provider_account_id)

    publishing.publish_post(post_id=post.pk)

    facebook_account.refresh_from_db()
    assert PostChannel.objects.get(post=post).error_kind == "auth"
    assert facebook_account.state == Account.State.RECONNECT_NEEDED
    assert "reconnect it" in facebook_account.state_message
    assert not posts(sandbox)
    report = account_services.test_connection(actor=alice, account=facebook_account)
    assert not report.works and report.error_kind == "auth"


def test_a_transient_failure_is_retried_and_posts_once(sandbox, facebook_post):
    post = facebook_post("Second batch")
    fault(sandbox, "facebook.feed", status=503)

    publishing.publish_post(post_id=post.pk)
    channel = PostChannel.objects.get(post=post)
    # A 5xx after the POST may hide a post: the page's posts are read, and only then is it sent again.
    assert channel.state == State.RETRY and channel.error_kind == "lost_not_found"
    publishing.publish_post(post_id=post.pk)

    [made] = posts(sandbox)
    assert PostChannel.objects.get(post=post).remote_id == made["id"]


def test_facebooks_rules_are_checked_while_writing(sandbox, rita, task, facebook_account):
    with pytest.raises(ValidationError) as long_text:
        services.create_post(author=rita, task=task, content="f" * 63207, account_ids=[facebook_account.pk])
    with pytest.raises(ValidationError) as webp:
        services.create_post(author=rita, task=task, content="Photo", account_ids=[facebook_account.pk],
                             media_files=[upload("p.webp", WEBP_BYTES, "image/webp")])
    with pytest.raises(ValidationError) as thread:
        services.create_post(author=rita, task=task, account_ids=[facebook_account.pk],
                             parts=[{"content": "One"}, {"content": "Two"}])
    assert "Too long for Facebook: 63,207 characters" in str(long_text.value)
    assert "Facebook Pages take photos here as JPEG, PNG or GIF" in str(webp.value)
    assert "Facebook Pages have no threads" in str(thread.value)
    services.create_post(author=rita, task=task, content="f" * 63206, account_ids=[facebook_account.pk])


def test_the_composer_previews_the_facebook_text_and_count(client, sandbox, rita, task, facebook_account):
    client.force_login(rita)
    answer = client.post(reverse("posts:preview"), {
        "content": "Bread " * 100, "hashtags": "", "accounts": [facebook_account.pk], "text_facebook": "Bread!",
    }).json()

    [network] = answer["networks"]
    assert network["label"] == "Facebook Page" and network["text"] == "Bread!"
    assert network["used"] == 6 and network["allowed"] == 63206 and network["own"]


def test_disconnecting_forgets_the_page_token(sandbox, alice, facebook_account):
    result = account_services.disconnect_account(actor=alice, account=facebook_account)

    account = Account.objects.get(pk=facebook_account.pk)
    assert result.revoked is None  # a page token has no revoke of its own
    assert account.state == Account.State.DISCONNECTED and not account.oauth2_access_token


# --- Graph's error shapes, unit-level


def graph_error(status, headers=None, **error):
    responses.add(responses.POST, "https://graph.test/v26.0/1/feed", status=status, headers=headers or {},
                  json={"error": {"message": "m", "type": "OAuthException", "fbtrace_id": "A1", **error}})
    with pytest.raises(PublishError) as failed:
        graph.Graph("page-token").create_post("1", message="Hi", photo_ids=[])
    return failed.value


@responses.activate
def test_graph_errors_map_to_the_engines_kinds(settings):
    settings.FACEBOOK_GRAPH_URL = "https://graph.test"

    app_throttle = graph_error(400, {"X-App-Usage": '{"call_count": 100, "total_time": 20, "total_cputime": 9}'}, code=4)
    page_throttle = graph_error(400, {"X-Business-Use-Case-Usage": '{"1": [{"type": "pages", "call_count": 100, '
                                                                    '"estimated_time_to_regain_access": 7}]}'}, code=32)
    transient = graph_error(500, code=2, is_transient=True)
    odd_transient = graph_error(400, code=9007, is_transient=True)
    expired = graph_error(400, code=190, error_subcode=463, message="Session has expired")
    policy = graph_error(400, code=368, message="The action attempted has been deemed abusive")
    invalid = graph_error(400, code=100, message="Invalid parameter", error_user_msg="Your post is missing text.")

    soon = timezone.now() + graph.DEFAULT_WAIT
    assert app_throttle.kind == "rate_limited" and abs((app_throttle.retry_at - soon).total_seconds()) < 5
    assert abs((page_throttle.retry_at - timezone.now() - dt.timedelta(minutes=7)).total_seconds()) < 5
    assert transient.kind == odd_transient.kind == "server" and transient.outcome_unknown and not transient.permanent
    assert expired.kind == "auth" and "Session has expired" in expired.user_message
    assert policy.kind == "forbidden" and "deemed abusive" in policy.user_message and policy.permanent
    assert invalid.kind == "bad_request" and invalid.user_message == "Facebook refused it: Your post is missing text."


@responses.activate
def test_every_graph_call_carries_the_appsecret_proof(settings):
    settings.FACEBOOK_GRAPH_URL, settings.FACEBOOK_APP_SECRET = "https://graph.test", "s3cret"
    responses.add(responses.GET, "https://graph.test/v26.0/1", json={"id": "1", "name": "Bakery"})

    graph.Graph("page-token").page("1")

    sent = parse_qs(urlsplit(responses.calls[0].request.url).query)
    expected = hmac.new(b"s3cret", b"page-token", hashlib.sha256).hexdigest()
    assert sent["access_token"] == ["page-token"] and sent["appsecret_proof"] == [expected]
