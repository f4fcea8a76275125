"""LinkedIn: a member connects their profile (allauth's openid_connect provider against the
sandbox, a 60-day token with a warning a week ahead), and posts reach it exactly once: commentary escaped as little text format, images
uploaded first, a lost answer settled by listing the member's posts, LinkedIn's DUPLICATE_POST to
a retry settled the same way; threads are refused while writing."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from platforms.linkedin import limits
from posts import publishing, services
from posts.models import Post, PostChannel
from socials import services as account_services
from socials.models import Account
from tests.conftest import PNG_BYTES, upload
from tests.platforms.helpers import control, fault

State = PostChannel.State


@pytest.fixture
def write(approved_post, linkedin_account):
    """An approved post for alice's LinkedIn profile (not yet handed to a worker)."""
    return lambda content, **fields: approved_post(linkedin_account, content=content, **fields)


def posts(sandbox):
    return sorted(sandbox.state.li_posts.values(), key=lambda p: p["created"])


def sign_in(client, sandbox, name="Alice Example", decision="allow"):
    """Start allauth's openid_connect sign-in for LinkedIn, answer the sandbox's consent page as
    `name`, and follow LinkedIn's redirect back to SocialHub. Returns (authorize query, answer)."""
    started = client.post(reverse("openid_connect_login", kwargs={"provider_id": "linkedin"}), {"process": "connect"})
    assert started["Location"].startswith(f"{sandbox.url}/oauth/v2/authorization?"), started
    query = {k: v[0] for k, v in parse_qs(urlsplit(started["Location"]).query).items()}
    consent = requests.post(f"{sandbox.url}/oauth/v2/authorization", allow_redirects=False, timeout=5, data={
        **{k: query[k] for k in ("client_id", "redirect_uri", "scope", "state")}, "name": name, "decision": decision})
    back = urlsplit(consent.headers["Location"])
    return query, client.get(f"{back.path}?{back.query}")


def test_a_member_connects_their_profile_through_allauths_openid_connect(client, sandbox, alice):
    client.force_login(alice)
    query, answer = sign_in(client, sandbox)

    page = client.get(answer["Location"])
    account = Account.objects.get(provider="linkedin")
    assert set(query["scope"].split()) == {"openid", "profile", "w_member_social", "w_organization_social",
                                           "r_organization_admin", "r_organization_social"}
    assert answer["Location"] == reverse("socials:accounts")  # no pages to choose from
    assert "Connected LinkedIn account Alice Example." in page.content.decode()
    assert account.expires_at > timezone.now() + dt.timedelta(days=59)
    assert account.oauth2_access_token in sandbox.state.li_tokens
    assert not SocialAccount.objects.exists() and not SocialToken.objects.exists()  # the token lives in Account only
    assert account_services.test_connection(actor=alice, account=account).works


def test_the_sandbox_signs_the_id_token_with_the_key_it_publishes(sandbox):
    member = control(sandbox, "linkedin/members", name="Alice Example")
    config = requests.get(f"{sandbox.url}/oauth/.well-known/openid-configuration", timeout=5).json()
    code_query = {"client_id": "li-client", "redirect_uri": "http://app.test/cb", "scope": "openid profile", "state": "s",
                  "name": "Alice Example", "decision": "allow"}
    code = parse_qs(urlsplit(requests.post(config["authorization_endpoint"], data=code_query, allow_redirects=False,
                                           timeout=5).headers["Location"]).query)["code"][0]
    token = requests.post(config["token_endpoint"], timeout=5, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": "http://app.test/cb", "client_id": "li-client",
        "client_secret": "li-secret"}).json()

    key = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(token["id_token"])
    claims = jwt.decode(token["id_token"], key.key, algorithms=["RS256"], audience="li-client", issuer=config["issuer"])
    assert claims["sub"] == member["sub"] and claims["name"] == "Alice Example"


def test_cancelling_on_linkedin_connects_nothing(client, sandbox, alice):
    client.force_login(alice)
    _, answer = sign_in(client, sandbox, decision="cancel")

    page = client.get(answer["Location"])
    assert "Connecting LinkedIn was cancelled: nothing changed." in page.content.decode()
    assert not Account.objects.exists()


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
