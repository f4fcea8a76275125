"""LinkedIn organization pages: after the member signs in (allauth's openid_connect, against the
sandbox), the pages they administer are offered; each chosen page becomes an account posting as
urn:li:organization:<id> with the member's token. Reconnecting the member renews every page, a
refused token makes them all "reconnect needed", posts reach a page exactly once, and the client
is emailed once, a week before the shared token ends."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import tasks as notification_tasks
from platforms import tasks
from platforms.models import LinkedInPage
from posts import publishing, services
from posts.models import Post, PostChannel
from socials.models import Account
from tests.conftest import PNG_BYTES, upload
from tests.platforms.helpers import control, fault
from tests.platforms.test_linkedin import sign_in

State = PostChannel.State


@pytest.fixture
def pages(sandbox):
    """Two pages Alice Example administers, and one she does not."""
    bakery = control(sandbox, "linkedin/organizations", name="Example Bakery", admins=["Alice Example"])
    florist = control(sandbox, "linkedin/organizations", name="Tulip Florist", admins=["Alice Example"])
    control(sandbox, "linkedin/organizations", name="Someone Else Inc", admins=["Bob Other"])
    return bakery, florist


def connect_pages(client, sandbox, *chosen):
    _, answer = sign_in(client, sandbox)
    assert answer["Location"] == reverse("platforms:linkedin-pages")
    return client.post(answer["Location"], {"pages": [p["id"] for p in chosen]})


def test_the_member_chooses_which_of_their_pages_to_connect(client, sandbox, alice, pages):
    bakery, florist = pages
    client.force_login(alice)
    _, answer = sign_in(client, sandbox)

    offered = client.get(answer["Location"]).content.decode()
    refused = client.post(answer["Location"], {})
    chosen = client.post(answer["Location"], {"pages": [bakery["id"]]})

    assert "Example Bakery" in offered and "Tulip Florist" in offered and "Someone Else" not in offered
    assert "Choose at least one page" in refused.content.decode()  # next to the field, nothing saved
    assert chosen["Location"] == reverse("socials:accounts")
    member = Account.objects.exclude(provider_account_id__startswith="urn:li:organization:").get(provider="linkedin")
    page = Account.objects.get(provider_account_id=f"urn:li:organization:{bakery['id']}")
    assert page.name == "Example Bakery" and page.user == alice
    assert page.oauth2_access_token == member.oauth2_access_token and page.expires_at == member.expires_at
    assert LinkedInPage.objects.get(account=page).administrator == member
    assert not Account.objects.filter(provider_account_id=f"urn:li:organization:{florist['id']}").exists()
    listing = client.get(reverse("socials:accounts")).content.decode()
    assert "Connected LinkedIn pages: Example Bakery." in listing


def test_pages_where_the_member_may_post_are_offered_and_other_roles_are_not(client, sandbox, alice, rita, task):
    def page(name, role, state="APPROVED"):
        return control(sandbox, "linkedin/organizations", name=name, admins=[],
                       roles=[{"name": "Alice Example", "role": role, "state": state}])

    offered = [page("Admin Bakery", "ADMINISTRATOR"), page("Content Cafe", "CONTENT_ADMINISTRATOR")]
    not_offered = [page("Analyst Books", "ANALYST"), page("Curator Club", "CURATOR"),
                   page("Sponsored Shoes", "DIRECT_SPONSORED_CONTENT_POSTER"), page("Jobs Inc", "RECRUITING_POSTER"),
                   page("Requested Realty", "CONTENT_ADMINISTRATOR", "REQUESTED"),
                   page("Revoked Rentals", "ADMINISTRATOR", "REVOKED")]
    client.force_login(alice)
    _, answer = sign_in(client, sandbox)

    shown = client.get(answer["Location"]).content.decode()
    assert all(p["name"] in shown for p in offered)
    assert not [p["name"] for p in not_offered if p["name"] in shown]
    client.post(answer["Location"], {"pages": [offered[1]["id"]]})
    cafe = Account.objects.get(provider_account_id=f"urn:li:organization:{offered[1]['id']}")
    post = services.create_post(author=rita, task=task, content="Flat whites all day", account_ids=[cafe.pk])
    services.review_post(actor=alice, post=post, action=1)
    publishing.publish_post(post_id=post.pk)  # a content administrator's post goes out as the page
    [made] = sandbox.state.li_posts.values()
    assert made["author"] == cafe.provider_account_id and PostChannel.objects.get(post=post).state == State.PUBLISHED


def test_when_linkedin_fails_to_list_the_pages_the_profile_still_connects_and_says_so(client, sandbox, alice, pages):
    client.force_login(alice)
    fault(sandbox, "linkedin.organizationAcls", status=503)

    _, answer = sign_in(client, sandbox)

    page = client.get(answer["Location"]).content.decode()
    assert answer["Location"] == reverse("socials:accounts")
    assert "Connected LinkedIn account Alice Example." in page
    assert "Your LinkedIn pages could not be listed (LinkedIn failed (503)" in page and "Reconnect to try again" in page
    assert Account.objects.get(provider="linkedin").state == Account.State.CONNECTED


def test_reconnecting_the_member_renews_every_page_using_its_token(client, sandbox, alice, pages):
    bakery, florist = pages
    client.force_login(alice)
    connect_pages(client, sandbox, bakery, florist)
    Account.objects.filter(provider="linkedin").update(state=Account.State.RECONNECT_NEEDED, state_message="Refused")

    _, answer = sign_in(client, sandbox)  # reconnect: a new token

    member = Account.objects.exclude(provider_account_id__startswith="urn:li:organization:").get(provider="linkedin")
    assert answer["Location"] == reverse("platforms:linkedin-pages")
    for page in Account.objects.filter(provider_account_id__startswith="urn:li:organization:"):
        assert page.state == Account.State.CONNECTED
        assert page.oauth2_access_token == member.oauth2_access_token  # the new one
    offered = client.get(answer["Location"]).content.decode()
    assert offered.count("checked") == 2  # both already connected, shown as chosen


def test_a_refused_token_makes_the_member_and_its_pages_reconnect(client, sandbox, alice, rita, task, pages):
    bakery, _ = pages
    client.force_login(alice)
    connect_pages(client, sandbox, bakery)
    page = Account.objects.get(provider_account_id=f"urn:li:organization:{bakery['id']}")
    post = services.create_post(author=rita, task=task, content="Fresh bread", account_ids=[page.pk])
    services.review_post(actor=alice, post=post, action=1)
    sandbox.state.li_tokens.clear()  # LinkedIn no longer knows the token

    publishing.publish_post(post_id=post.pk)

    states = set(Account.objects.filter(provider="linkedin").values_list("state", flat=True))
    assert states == {Account.State.RECONNECT_NEEDED}
    member = Account.objects.exclude(pk=page.pk).get(provider="linkedin")
    assert reverse("platforms:linkedin-connect") in page.reconnect_url
    assert "who administers it" not in client.get(member.reconnect_url).content.decode()
    assert f"sign in to LinkedIn as\n{member}" in client.get(page.reconnect_url).content.decode()


@pytest.fixture
def page_account(client, sandbox, alice, pages):
    client.force_login(alice)
    connect_pages(client, sandbox, pages[0])
    return Account.objects.get(provider_account_id=f"urn:li:organization:{pages[0]['id']}")


@pytest.fixture
def write(approved_post, page_account):
    """An approved post for the LinkedIn Page alice connected first (not yet handed to a worker)."""
    return lambda content, **fields: approved_post(page_account, content=content, **fields)


def org_posts(sandbox, page_account):
    return [p for p in sandbox.state.li_posts.values() if p["author"] == page_account.provider_account_id]


def test_a_post_with_an_image_is_published_as_the_page(sandbox, write, page_account):
    post = write("Croissants (warm) at 7", media_files=[upload("c.png", PNG_BYTES, "image/png")],
                 alt_texts=["A croissant"])

    publishing.publish_post(post_id=post.pk)

    [made] = org_posts(sandbox, page_account)
    image = sandbox.state.li_images[made["content"]["media"]["id"].removeprefix("urn:li:image:")]
    assert made["commentary"] == r"Croissants \(warm\) at 7"
    assert image["owner"] == page_account.provider_account_id and image["uploaded"]
    assert made["content"]["media"]["altText"] == "A croissant"
    assert PostChannel.objects.get(post=post).remote_id == made["id"]
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_a_lost_answer_for_a_page_is_found_among_its_posts_and_not_sent_again(sandbox, write, page_account):
    post = write("Lost on the way to the bakery")
    fault(sandbox, "linkedin.posts", lose_answer=True)

    publishing.publish_post(post_id=post.pk)

    [made] = org_posts(sandbox, page_account)
    assert PostChannel.objects.get(post=post).remote_id == made["id"]
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_linkedins_duplicate_to_a_pages_retry_is_settled_as_that_post(sandbox, write, page_account):
    post = write("Behind a lagging page list")
    fault(sandbox, "linkedin.posts", lose_answer=True)
    fault(sandbox, "linkedin.posts_by_author", status=200, body={"elements": [], "paging": {}})

    publishing.publish_post(post_id=post.pk)
    assert PostChannel.objects.get(post=post).state == State.RETRY
    publishing.publish_post(post_id=post.pk)  # 422 DUPLICATE_POST naming the page's post; the list shows it

    [made] = org_posts(sandbox, page_account)
    channel = PostChannel.objects.get(post=post)
    assert channel.state == State.PUBLISHED and channel.remote_id == made["id"]


def test_the_client_is_emailed_once_a_week_before_the_shared_token_ends(
    sandbox, alice, page_account, mailoutbox, settings
):
    settings.SITE_URL = "https://socialhub.test"
    soon = timezone.now() + dt.timedelta(days=6)
    Account.objects.filter(provider="linkedin").update(expires_at=soon)
    assert tasks.warn_of_access_ending() == 1
    assert tasks.warn_of_access_ending() == 0  # the next hour's run, and the day after: told already
    notification_tasks.flush(alice.pk)

    (email,) = mailoutbox
    assert email.to == [alice.email]
    assert email.subject == "SocialHub: 1 connection ends within a week"
    assert "Alice Example (LinkedIn), Example Bakery (LinkedIn): access ends on" in email.body
    assert f"{soon:%d %B %Y}" in email.body
    assert f"https://socialhub.test{reverse('platforms:linkedin-connect')}?account=" in email.body

    Account.objects.filter(provider="linkedin").update(expires_at=soon + dt.timedelta(hours=1))  # reconnected
    assert tasks.warn_of_access_ending() == 1  # a new token, a new warning


def test_no_warning_while_the_end_is_more_than_a_week_away_or_when_switched_off(sandbox, alice, page_account):
    from notifications.services import set_preferences

    assert tasks.warn_of_access_ending() == 0  # 60 days ahead
    set_preferences(user=alice, enabled=[])
    Account.objects.filter(provider="linkedin").update(expires_at=timezone.now() + dt.timedelta(days=3))
    assert tasks.warn_of_access_ending() == 1
    assert not alice.pending_notifications.exists()
