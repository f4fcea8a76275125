"""In Chromium, with a real worker and the X sandbox: a Premium account found by "Test connection",
a long post with a poll (previewed as X shows it, cut at 280 with "Show more") published whole, and
a post held by the client's spend cap until staff raise it in the admin."""

import re

import pytest
import requests
from playwright.sync_api import expect

from costs import caps
from posts import services
from posts.models import Post
from tests.conftest import sandbox_account, sandbox_control

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LONG = "Spring opening at the shop. " * 15  # 420 characters: a long post


def sandbox_tweets(sandbox):
    return requests.get(f"{sandbox.url}/_sandbox/tweets", timeout=5).json()["data"]


def test_a_poll_a_long_premium_post_and_a_post_held_by_the_spend_cap(new_page, worker, x_sandbox, rita, alice, sam, task):
    x_user = sandbox_control(x_sandbox.url, "users", username="alice_x", verified_type="blue", subscription_type="Premium")
    sandbox_account(x_sandbox.url, alice, "alice_x", x_user)
    caps.set_cap(actor=sam, client=alice, monthly_usd="0.10")

    # The client's "Test connection" reads that the account is Premium.
    client = new_page(alice)
    client.goto("/socials/accounts/")
    client.get_by_role("button", name="Test connection").first.click()
    expect(client.locator(".messages")).to_contain_text("up to 25,000 characters (Premium)")

    # The reseller writes a long post with a poll; the preview shows both as X would.
    reseller = new_page(rita)
    reseller.goto("/posts/new/")
    reseller.select_option("#id_task", str(task.pk))
    reseller.fill("#id_content", LONG.strip())
    reseller.locator("[data-post-options] > summary").click()
    reseller.fill("#id_poll", "Tulips\nRoses")
    reseller.select_option("#id_poll_duration", "60")
    preview = reseller.locator("[data-preview-thread]")
    expect(preview.locator(".x-poll-choice")).to_have_text(["Tulips", "Roses"])
    expect(preview.get_by_text("Show more")).to_be_visible()
    expect(reseller.locator("[data-max]").first).to_have_text("25000")
    expect(reseller.locator("[data-estimate]")).to_have_text("≈ $0.015 on X")
    reseller.click("[data-submit]")
    reseller.wait_for_url(re.compile(r"/posts/\d+/$"))
    long_post = Post.objects.get()

    # The client sees the poll in the inbox, approves, and the worker publishes it whole.
    client.goto("/posts/inbox/")
    item = client.locator(".inbox-item", has_text="Spring opening")
    expect(item.locator(".x-poll-choice")).to_have_text(["Tulips", "Roses"])
    client.goto(f"/posts/{long_post.pk}/")
    client.get_by_role("button", name="Approve", exact=True).click()
    expect(client.locator("[data-post-status]")).to_contain_text("Published", timeout=60_000)
    tweet = sandbox_tweets(x_sandbox)[0]
    assert tweet["long"] and tweet["posted_text"] == LONG.strip()
    assert tweet["options"]["poll"] == {"options": ["Tulips", "Roses"], "duration_minutes": 60}

    # A post with a link ($0.20) would pass the client's $0.10 cap: held with the reason, not failed.
    linked = services.create_post(author=rita, task=task, account_ids=[long_post.channels.get().account_id],
                                  content="Our opening times: example.com/open")
    services.review_post(actor=alice, post=linked, action=1)
    reseller.goto(f"/posts/{linked.pk}/")
    expect(reseller.locator("[data-held-reason]")).to_contain_text("over the monthly cap of $0.10", timeout=60_000)
    assert len(sandbox_tweets(x_sandbox)) == 1

    # Staff raise the cap in the admin: the post goes out.
    staff = new_page(sam)
    staff.goto("/admin/costs/spendcap/")
    staff.get_by_role("link", name=re.compile("alice")).first.click()
    staff.fill("#id_monthly_usd", "5")
    staff.click("input[name=_save]")
    expect(staff.locator(".messagelist")).to_contain_text("was changed successfully")
    reseller.goto(f"/posts/{linked.pk}/")
    expect(reseller.locator("[data-post-status]")).to_contain_text("Published", timeout=60_000)
    assert len(sandbox_tweets(x_sandbox)) == 2
