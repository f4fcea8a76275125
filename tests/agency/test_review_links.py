"""Clients review from a signed link, without logging in; decisions are bound to the version shown."""

import datetime as dt
import html
import re

import pytest
from django.core import mail
from django.utils import timezone

from agency import review_links
from agency.models import ReviewLink
from notifications import services as notification_services
from notifications.models import Kind
from posts import services
from posts.models import Post


def link_path(link: ReviewLink) -> str:
    return "/agency/review/" + review_links.token_for(link) + "/"


@pytest.fixture
def post(make_post):
    return make_post(content="Spring is here")


@pytest.fixture
def link(rita, post):
    return review_links.create_link(actor=rita, posts=[post])


def test_the_page_shows_the_post_as_on_x_without_login(client, link, post):
    page = client.get(link_path(link))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Spring is here" in html and "#spring" in html
    assert page["Referrer-Policy"] == "same-origin"


def test_the_post_s_image_opens_for_a_reviewer_without_login(client, rita, make_post, png):
    post = make_post(content="Peonies", media_files=[png])
    page = client.get(link_path(review_links.create_link(actor=rita, posts=[post])))
    src = re.search(r'<img src="([^"]+)"', page.content.decode()).group(1)
    image = client.get(html.unescape(src))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_approving_through_the_link_records_where_it_came_from(client, link, post, alice):
    answer = client.post(link_path(link), {"post": post.pk, "version": post.version, "action": 1}, REMOTE_ADDR="203.0.113.9")
    assert answer.status_code == 302
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED and post.reviewed_by == alice
    review = post.reviews.get()
    assert review.link_decision.link == link
    assert review.link_decision.ip_address == "203.0.113.9"
    assert review.version == post.version


def test_rejecting_needs_feedback_said_next_to_the_post(client, link, post):
    answer = client.post(link_path(link), {"post": post.pk, "version": post.version, "action": 2, "feedback": " "})
    assert answer.status_code == 400
    assert "Say why" in answer.content.decode()
    answer = client.post(link_path(link), {"post": post.pk, "version": post.version, "action": 2, "feedback": "Less shouting"})
    post.refresh_from_db()
    assert post.status == Post.Status.REJECTED and post.feedback == "Less shouting"


def test_a_post_changed_since_the_page_was_opened_is_asked_again(client, link, post, rita):
    shown = post.version
    services.edit_post(actor=rita, post=post, content="Spring is finally here")
    answer = client.post(link_path(link), {"post": post.pk, "version": shown, "action": 1})
    assert answer.status_code == 409
    html = answer.content.decode()
    assert "This post changed since you opened it" in html and "Spring is finally here" in html
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING and not post.reviews.exists()


def test_once_decided_the_link_shows_the_decision_and_changes_nothing(client, link, post):
    client.post(link_path(link), {"post": post.pk, "version": post.version, "action": 1})
    page = client.get(link_path(link)).content.decode()
    assert "Approved" in page and "Reject with feedback" not in page
    again = client.post(link_path(link), {"post": post.pk, "version": post.version, "action": 2, "feedback": "No"})
    assert again.status_code == 409
    post.refresh_from_db()
    assert post.status != Post.Status.REJECTED and post.reviews.count() == 1


def test_revoked_expired_and_forged_links_do_not_open(client, link, rita):
    path = link_path(link)
    assert client.get(path.replace("/review/", "/review/x")).status_code == 410
    ReviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert "expired" in client.get(path).content.decode()
    ReviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    review_links.revoke_link(actor=rita, link=link)
    answer = client.get(path)
    assert answer.status_code == 410 and "withdrawn" in answer.content.decode()


def test_a_link_decides_only_its_own_posts(client, link, make_post):
    other = make_post(content="Not in the link")
    answer = client.post(link_path(link), {"post": other.pk, "version": other.version, "action": 1})
    assert answer.status_code == 404
    other.refresh_from_db()
    assert other.status == Post.Status.PENDING


def test_a_reseller_makes_a_batch_link_for_a_task_from_the_clients_page(client, rita, task, make_post):
    make_post(content="One"), make_post(content="Two")
    client.force_login(rita)
    answer = client.post("/agency/review-links/new/", {"task": task.pk}, follow=True)
    assert "Review link made for 2 post(s)" in answer.content.decode()
    assert ReviewLink.objects.get().posts.count() == 2


def test_the_post_page_history_says_the_decision_came_through_a_link(client, link, post, rita):
    client.post(link_path(link), {"post": post.pk, "version": post.version, "action": 1}, REMOTE_ADDR="203.0.113.9")
    client.force_login(rita)
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert "through a review link from 203.0.113.9" in page


def test_the_pending_review_email_holds_a_review_link(alice, post, settings):
    settings.SITE_URL = "https://socialhub.example.com"
    notification_services.queue(recipient_ids=[alice.pk], kind=Kind.POST_SUBMITTED, payload={"post": {"id": post.pk, "url": "", "excerpt": "x", "task": "t"}})
    notification_services.flush(user_id=alice.pk)
    body = mail.outbox[-1].body
    assert "https://socialhub.example.com/agency/review/" in body
    assert list(ReviewLink.objects.get().posts.all()) == [post]


def test_another_resellers_client_posts_cannot_be_linked(rex, post):
    with pytest.raises(review_links.NotAllowed):
        review_links.create_link(actor=rex, posts=[post])
