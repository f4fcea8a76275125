"""The whole path in Chromium, with a real worker and the X sandbox: compose -> approve -> published."""

import datetime as dt
import re
import zoneinfo

import pytest
import requests
from django.utils import timezone
from playwright.sync_api import expect

from posts.models import Post
from tests.conftest import PNG_BYTES, sandbox_account

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_scheduled_post_with_an_image_is_approved_and_shows_up_published_in_the_sandbox(
    new_page, worker, x_sandbox, rita, alice, task
):
    rita.time_zone = "Asia/Kolkata"  # UTC+05:30: the schedule is typed in her zone
    rita.save()
    sandbox_account(x_sandbox.url, alice, "alice_x")
    reseller = new_page(rita)
    reseller.goto("/posts/new/")
    reseller.select_option("#id_task", str(task.pk))
    reseller.fill("#id_content", "Tulips are in 🌷 see https://example.com/tulips")
    reseller.fill("#id_hashtags", "spring")
    reseller.locator("[data-media-input]").set_input_files(
        files=[{"name": "tulips.png", "mimeType": "image/png", "buffer": PNG_BYTES}]
    )
    reseller.fill("#alt-0", "Red tulips")
    # Due in about 20 seconds, written in Kolkata time, to the second.
    when = (timezone.now() + dt.timedelta(seconds=20)).astimezone(zoneinfo.ZoneInfo("Asia/Kolkata"))
    reseller.check("input[name=when][value=at]")
    reseller.fill("#id_schedule_at", when.strftime("%Y-%m-%dT%H:%M:%S"))
    reseller.click("[data-submit]")
    reseller.wait_for_url(re.compile(r"/posts/\d+/$"))
    post = Post.objects.get()
    assert abs((post.schedule_at - when).total_seconds()) < 1
    expect(reseller.locator("[data-post-status]")).to_contain_text("Pending approval")

    client = new_page(alice)
    client.goto("/posts/inbox/")
    item = client.locator(".inbox-item", has_text="Tulips are in")
    expect(item.locator("img[alt='Red tulips']")).to_be_visible()
    item.get_by_role("link", name="details").click()
    client.get_by_role("button", name="Approve", exact=True).click()
    expect(client.locator(".messages")).to_contain_text("1 post approved.")
    status = client.locator("[data-post-status]")
    expect(status).to_contain_text("Approved")
    client.evaluate("window.notReloaded = true")

    # The due-post dispatcher beside the worker hands the post to it at its time; the open page
    # follows the post by itself: approved -> processing -> published.
    expect(status).to_contain_text("Published", timeout=60_000)
    assert client.evaluate("window.notReloaded") is True
    channel = post.channels.get()
    link = status.get_by_role("link", name="View on X as @alice_x")
    expect(link).to_have_attribute("href", f"{x_sandbox.url}/alice_x/status/{channel.remote_id}")

    tweets = requests.get(f"{x_sandbox.url}/_sandbox/tweets", timeout=5).json()["data"]
    assert len(tweets) == 1
    # What the app sent; X (and the sandbox) store the link as t.co.
    assert tweets[0]["posted_text"] == "Tulips are in 🌷 see https://example.com/tulips\n\n#spring"
    assert tweets[0]["author_username"] == "alice_x" and len(tweets[0]["media_ids"]) == 1
