"""Post options over the REST API: given on create (JSON, or a JSON text in multipart), shown on
read, changed with PATCH, and every problem in the error envelope next to its option."""

import json

import pytest

from tests.conftest import PNG_BYTES, upload

POLL = {"options": ["Tulips", "Roses"], "duration_minutes": 60}


@pytest.fixture
def url(alice, task):
    return f"/post/for-user/{alice.pk}/{task.pk}"


def test_options_are_taken_on_create_and_shown_on_read(api, rita, url, alice_account):
    response = api(rita).post(url, {
        "content": "Which one?", "post_channels": [{"channel_id": str(alice_account.pk)}],
        "options": {"poll": POLL, "reply_settings": "verified", "quote": "https://x.com/nasa/status/1800000000000000001",
                    "made_with_ai": True},
    }, format="json")

    assert response.status_code == 400  # a poll and a quote do not mix
    assert response.json()["details"] == {
        "poll": ["X does not allow a poll and a quoted post in one post: keep one of them."]}

    body = api(rita).post(url, {
        "content": "Which one?", "post_channels": [{"channel_id": str(alice_account.pk)}],
        "options": {"poll": POLL, "reply_settings": "verified", "made_with_ai": True},
    }, format="json").json()
    assert body["options"] == {
        "poll": POLL, "reply_settings": "verified", "quote_tweet_id": None, "quote_url": None, "community_id": None,
        "share_with_followers": False, "made_with_ai": True, "paid_partnership": False, "mastodon_visibility": "public"}


def test_multipart_takes_the_options_as_json_text(api, rita, url, alice_account):
    response = api(rita).post(url, {
        "content": "Look", "post_channels[0][channel_id]": str(alice_account.pk),
        "options": json.dumps({"quote": "https://x.com/nasa/status/1800000000000000001"}),
        "media": [upload("a.png", PNG_BYTES)],
    }, format="multipart")
    assert response.status_code == 400
    assert response.json()["details"] == {
        "quote": ["X does not allow media and a quoted post in one post: keep one of them."]}


def test_patch_changes_the_options_and_the_detail_shows_the_cost(api, rita, make_post):
    post = make_post(content="Read https://example.com", hashtags=[])
    client = api(rita)

    body = client.patch(f"/api/posts/{post.pk}", {"options": {"paid_partnership": True}}, format="json").json()
    assert body["options"]["paid_partnership"] is True

    detail = client.get(f"/api/posts/{post.pk}").json()
    assert detail["x_estimate"] == "≈ $0.20 on X: it has a link"
    assert detail["x_spend"] == {"micros": 0, "usd": "$0.00", "calls": []}


def test_options_that_are_not_an_object_are_refused(api, rita, url, alice_account):
    response = api(rita).post(url, {"content": "x", "post_channels": [{"channel_id": str(alice_account.pk)}],
                                    "options": ["poll"]}, format="json")
    assert response.status_code == 400 and "options" in response.json()["details"]
