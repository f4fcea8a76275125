"""The agency paths in Chromium: an invitation to a connected account, a review through a link
(with a stale version), a comment and its notification, two-step approval."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from notifications import services as notification_services
from posts import services
from posts.models import Post, TaskAssign
from socials.models import Account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def anonymous(browser, live_server):
    contexts = []

    def _open():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def test_an_invited_client_sets_a_password_and_connects_x(new_page, anonymous, x_sandbox, rita):
    reseller = new_page(rita)
    reseller.goto("/agency/tasks/")
    reseller.get_by_role("link", name="Invite a client").first.click()
    reseller.get_by_label("Client's email").fill("carol@example.com")
    reseller.get_by_label("Task").fill("Bakery")
    reseller.get_by_role("button", name="Send the invitation").click()
    expect(reseller.locator(".messages")).to_contain_text("Invitation sent to carol@example.com")

    path = re.search(r"https?://[^/\s]+(/agency/invitations/accept/\S+/)", mail.outbox[-1].body).group(1)
    client = anonymous()
    client.goto(path)
    client.get_by_label("Username").fill("carol")
    client.get_by_label("Password", exact=True).fill("tulips-in-spring-42")
    client.get_by_label("Password again").fill("tulips-in-spring-42")
    client.get_by_role("button", name="Create my login").click()
    expect(client.locator(".messages")).to_contain_text("Connect your X account")

    client.get_by_role("button", name="Connect X account").click()
    client.wait_for_url(f"{x_sandbox.url}/**")
    client.get_by_label("Username").fill("carol_bakes")
    client.get_by_role("button", name="Authorize app").click()
    expect(client.locator(".messages")).to_contain_text("Connected X account @carol_bakes.")
    carol = User.objects.get(username="carol")
    assert Account.objects.get(user=carol).state == Account.State.CONNECTED
    assert TaskAssign.objects.filter(user=carol, reseller=rita, title="Bakery").exists()


def test_a_client_reviews_through_a_link_and_a_changed_post_is_asked_again(
    new_page, anonymous, rita, make_post, live_server, settings
):
    settings.SITE_URL = live_server.url  # links are absolute, built from SITE_URL
    post = make_post(content="Tulips on sale")
    reseller = new_page(rita)
    reseller.goto(f"/posts/{post.pk}/")
    reseller.get_by_role("button", name="Make a review link for the client").click()
    expect(reseller.locator(".messages")).to_contain_text("Review link made")
    url = reseller.locator("input.copy-field").first.input_value()

    client = anonymous()
    client.goto(url)
    expect(client.locator(".x-thread")).to_contain_text("Tulips on sale")
    services.edit_post(actor=rita, post=Post.objects.get(pk=post.pk), content="Tulips on sale this weekend")
    client.get_by_role("button", name="Approve").click()
    expect(client.get_by_role("alert")).to_contain_text("This post changed since you opened it")
    expect(client.locator(".x-thread")).to_contain_text("Tulips on sale this weekend")
    client.get_by_role("button", name="Approve").click()
    expect(client.locator(".messages")).to_contain_text("your decision is recorded")
    expect(client.locator(".decision")).to_contain_text("Approved")
    expect(client.get_by_role("button", name="Approve")).to_have_count(0)

    reseller.goto(f"/posts/{post.pk}/")
    expect(reseller.locator(".history")).to_contain_text("through a review link")


def test_a_comment_reaches_the_reseller(new_page, alice, rita, make_post):
    post = make_post(content="Spring menu")
    client = new_page(alice)
    client.goto(f"/posts/{post.pk}/")
    client.get_by_label("Add a comment").fill("Can we mention the <b>vegan</b> option?")
    client.get_by_role("button", name="Comment").click()
    expect(client.locator(".comment-thread")).to_contain_text("Can we mention the <b>vegan</b> option?")

    notification_services.flush(user_id=rita.pk)
    assert "vegan" in mail.outbox[-1].body and mail.outbox[-1].to == ["rita@example.com"]
    reseller = new_page(rita)
    reseller.goto(f"/posts/{post.pk}/")
    expect(reseller.locator(".comment-thread")).to_contain_text("alice")


def test_two_step_approval_staff_then_client(new_page, sam, alice, task, make_post):
    task.approval_policy = TaskAssign.ApprovalPolicy.TWO_STEPS
    task.save()
    make_post(content="Two keys to this door")
    client = new_page(alice)
    client.goto("/posts/inbox/")
    expect(client.get_by_text("Nothing waiting for your review.")).to_be_visible()

    staff = new_page(sam)
    staff.goto("/posts/inbox/")
    item = staff.locator(".inbox-item", has_text="Two keys to this door")
    expect(item).to_contain_text("Staff step")
    item.get_by_role("button", name="Approve").click()
    expect(staff.locator(".messages")).to_contain_text("approved")

    client.goto("/posts/inbox/")
    client.locator(".inbox-item", has_text="Two keys to this door").get_by_role("button", name="Approve").click()
    expect(client.locator(".messages")).to_contain_text("1 post approved.")
    post = Post.objects.get(content="Two keys to this door")
    assert [r.step for r in post.reviews.all()] == ["staff", "client"]
