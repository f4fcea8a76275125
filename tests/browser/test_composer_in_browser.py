"""The composer in Chromium: the live counter agrees with the server; a failed submit loses nothing."""

import re

import pytest
from playwright.sync_api import expect

from platforms.text import compose_text, normalize_hashtags
from platforms.x.text import weighted_length
from posts.models import Post
from tests.conftest import PNG_BYTES, next_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRICKY = [
    ("Family 👩‍👩‍👧‍👦 day 🏳️‍🌈 at https://example.com/a/very/long/path?q=1 and t.co", "fun"),
    ("日本語のテキスト、カフェ café and cafe\u0301 (NFD)", "東京, tokyo"),
    ("Emoji with skin tone 👍🏽 and keycap 1️⃣, mail me@example.org #already", "#already new_tag"),
]


def test_the_counter_agrees_with_the_server_on_tricky_text(new_page, rita, task, alice_account):
    page = new_page(rita)
    page.goto("/posts/new/")
    counter = page.locator("[data-count]")
    for content, hashtags in TRICKY:
        page.fill("#id_content", content)
        page.fill("#id_hashtags", hashtags)
        expected = weighted_length(compose_text(content, normalize_hashtags(hashtags)))
        expect(counter).to_have_text(str(expected))
    # The preview shows the composed text with its hashtags as links.
    expect(page.locator("[data-preview-text] .x-link", has_text="#new_tag")).to_be_visible()


def test_a_failed_submit_keeps_text_and_image_and_shows_the_error_by_the_field(new_page, rita, task, alice_account):
    page = new_page(rita)
    page.goto("/posts/new/")
    page.select_option("#id_task", str(task.pk))
    expect(page.locator("input[data-account]")).to_be_checked()  # the client's only account
    page.fill("#id_content", "🌷" * 141)
    page.locator("[data-media-input]").set_input_files(
        files=[{"name": "tulips.png", "mimeType": "image/png", "buffer": PNG_BYTES}]
    )
    page.fill("#alt-0", "Red tulips in a blue vase")
    page.click("[data-submit]")
    expect(page.locator("[data-errors-for=content]")).to_contain_text("Tweet content exceeds 280 character limit")
    expect(page.locator("#id_content")).to_be_focused()
    expect(page.locator("[data-media-list]")).to_contain_text("tulips.png")
    assert not Post.objects.exists()

    page.fill("#id_content", "Tulips are in 🌷")
    page.check("input[name=when][value=at]")
    when = next_date(4, 1, 9, 30)  # schedules go at most a year ahead
    page.fill("#id_schedule_at", f"{when:%Y-%m-%dT%H:%M}")
    page.click("[data-submit]")
    page.wait_for_url(re.compile(r"/posts/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("Post sent to the client for review.")
    post = Post.objects.get()
    assert post.content == "Tulips are in 🌷" and post.schedule_at == when
    assert [m.alt_text for m in post.media.all()] == ["Red tulips in a blue vase"]
    # The draft is gone once sent: a new composer starts empty.
    page.goto("/posts/new/")
    expect(page.locator("#id_content")).to_have_value("")


def test_an_unsent_draft_survives_a_reload(new_page, rita, task, alice_account):
    page = new_page(rita)
    page.goto("/posts/new/")
    page.fill("#id_content", "Half-written thought")
    page.wait_for_timeout(500)  # the draft is saved 300 ms after the last keystroke
    page.reload()
    expect(page.locator("#id_content")).to_have_value("Half-written thought")
    expect(page.locator("[data-draft-note]")).to_be_visible()


def test_a_restored_scheduled_draft_shows_its_date_and_the_error_beside_it(new_page, rita, task, alice_account):
    page = new_page(rita)
    page.goto("/posts/new/")
    page.select_option("#id_task", str(task.pk))
    page.fill("#id_content", "Spring is over")
    page.check("input[name=when][value=at]")
    page.fill("#id_schedule_at", "2020-04-01T09:30")
    page.wait_for_timeout(500)  # the draft is saved 300 ms after the last change
    page.reload()
    expect(page.locator("[data-draft-note]")).to_be_visible()
    expect(page.locator("input[name=when][value=at]")).to_be_checked()
    expect(page.locator("#id_schedule_at")).to_be_visible()
    expect(page.locator("#id_schedule_at")).to_have_value("2020-04-01T09:30")

    page.click("[data-submit]")
    error = page.locator("[data-errors-for=schedule_at]")
    expect(error).to_contain_text("in the past")
    expect(error).to_be_visible()
    expect(page.locator("#id_schedule_at")).to_be_focused()
    assert not Post.objects.exists()


def test_a_thread_is_composed_part_by_part_with_its_own_counts_media_and_preview(new_page, rita, task, alice_account):
    page = new_page(rita)
    page.goto("/posts/new/")
    page.select_option("#id_task", str(task.pk))
    page.fill("#id_content", "1/3 Tulips are in")
    page.click("[data-add-part]")
    page.click("[data-add-part]")
    parts = page.locator("[data-part]")
    expect(parts).to_have_count(2)
    parts.nth(0).locator("textarea").fill("2/3 " + "🌷" * 3)
    parts.nth(1).locator("textarea").fill("3/3 Come and see")
    expect(parts.nth(0).locator("[data-count]")).to_have_text(str(weighted_length("2/3 " + "🌷" * 3)))
    expect(parts.nth(1).locator("[data-count]")).to_have_text(str(weighted_length("3/3 Come and see")))
    preview = page.locator("[data-preview-thread] > li")
    expect(preview).to_have_count(3)
    expect(preview.nth(2)).to_contain_text("3/3 Come and see")
    parts.nth(0).locator("[data-part-media]").set_input_files(
        files=[{"name": "tulip.png", "mimeType": "image/png", "buffer": PNG_BYTES}]
    )
    parts.nth(0).locator("input[name$='-alt_text']").first.fill("One tulip")
    expect(preview.nth(1).locator("img")).to_have_count(1)

    page.click("[data-submit]")
    page.wait_for_url(re.compile(r"/posts/\d+/$"))
    post = Post.objects.get()
    assert [p.text for p in post.thread] == ["1/3 Tulips are in", "2/3 " + "🌷" * 3, "3/3 Come and see"]
    assert [m.alt_text for m in post.thread[1].media] == ["One tulip"]
    expect(page.locator(".x-thread.is-thread > li")).to_have_count(3)
