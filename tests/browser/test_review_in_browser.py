"""Review in Chromium: the client rejects with feedback; the reseller edits and resubmits."""

import pytest
from playwright.sync_api import expect

from posts.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rejected_post_is_edited_and_resubmitted(new_page, rita, alice, make_post):
    post = make_post(content="Buy our tulips now!!!")

    client = new_page(alice)
    client.goto("/posts/inbox/")
    item = client.locator(".inbox-item", has_text="Buy our tulips now")
    item.locator("summary", has_text="Reject").click()
    item.get_by_label("Feedback for the reseller").fill("Too pushy: invite people instead.")
    item.get_by_role("button", name="Reject with feedback").click()
    expect(client.locator(".messages")).to_contain_text("1 post rejected.")
    expect(client.get_by_text("Nothing waiting for your review.")).to_be_visible()

    reseller = new_page(rita)
    reseller.goto("/posts/?status=5")
    row = reseller.locator(".post-row", has_text="Buy our tulips now")
    expect(row).to_contain_text("Too pushy: invite people instead.")
    row.get_by_role("link", name="Edit").click()
    reseller.fill("#id_content", "Come and see our tulips this weekend")
    reseller.get_by_role("button", name="Save and send for review").click()
    expect(reseller.locator(".messages")).to_contain_text("sent for review again")
    expect(reseller.locator(".history")).to_contain_text("Too pushy")
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING

    client.goto("/posts/inbox/")
    expect(client.locator(".inbox-item")).to_contain_text("Come and see our tulips this weekend")
