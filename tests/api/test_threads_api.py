"""Threads over the REST API: `parts` on create (JSON and multipart) and on retrieve, with each
part's state and tweet per channel; a single `content` stays valid."""

import json

import pytest
import responses

from posts import publishing, services
from posts.models import Post
from socials.error_kinds import TOO_LONG
from tests.conftest import PNG_BYTES, upload


@pytest.fixture
def url(alice, task):
    return f"/post/for-user/{alice.pk}/{task.pk}"


def body_of(response, status=201):
    assert response.status_code == status, response.content
    return response.json()


def test_a_thread_is_created_from_json_parts_and_shown_part_by_part(api, rita, url, alice_account):
    body = body_of(api(rita).post(url, {
        "parts": [{"content": "One"}, {"content": "Two"}, {"content": "Three"}],
        "hashtags": ["spring"],
        "post_channels": [{"channel_id": str(alice_account.pk)}],
    }, format="json"))

    assert body["content"] == "One" and body["text"] == "One\n\n#spring"
    assert [(p["position"], p["content"], p["text"]) for p in body["parts"]] == [
        (1, "One", "One\n\n#spring"), (2, "Two", "Two"), (3, "Three", "Three"),
    ]
    # Nothing is queued for X before the review: every part of every channel says so.
    assert [c["state"] for p in body["parts"] for c in p["channels"]] == ["awaiting_approval"] * 3
    assert body["channels"][0]["state"] == "awaiting_approval"


def test_a_single_content_is_a_thread_of_one(api, rita, url, alice_account):
    body = body_of(api(rita).post(url, {
        "content": "Hello", "post_channels": [{"channel_id": str(alice_account.pk)}],
    }, format="json"))
    assert [(p["position"], p["text"]) for p in body["parts"]] == [(1, "Hello")]


def test_multipart_parts_carry_their_own_media_and_alt_text(api, rita, url, alice_account):
    body = body_of(api(rita).post(url, {
        "parts[0][content]": "One",
        "parts[1][content]": "Two",
        "parts[1][media]": [upload("a.png", PNG_BYTES, "image/png"), upload("b.png", PNG_BYTES, "image/png")],
        "parts[1][alt_texts]": ["First tulip", "Second tulip"],
        "post_channels": [str(alice_account.pk)],
    }, format="multipart"))

    first, second = body["parts"]
    assert first["media"] == [] and body["media"] == []
    assert [(m["kind"], m["alt_text"]) for m in second["media"]] == [("image", "First tulip"), ("image", "Second tulip")]


def test_a_too_long_part_is_400_naming_the_part(api, rita, url, alice_account):
    body = body_of(api(rita).post(url, {
        "parts": [{"content": "One"}, {"content": "x" * 281}],
        "post_channels": [{"channel_id": str(alice_account.pk)}],
    }, format="json"), status=400)
    assert body["success"] is False
    assert body["details"]["parts"] == [f"Part 2: {TOO_LONG}"]
    assert not Post.objects.exists()


def test_content_and_parts_together_are_400(api, rita, url, alice_account):
    body = body_of(api(rita).post(url, {
        "content": "Hello", "parts": [{"content": "One"}, {"content": "Two"}],
        "post_channels": [{"channel_id": str(alice_account.pk)}],
    }, format="json"), status=400)
    assert "parts" in body["details"]


def test_retrieve_shows_each_parts_tweet_and_state_per_channel(api, alice, make_post, settings):
    settings.X_API_URL, settings.X_WEB_URL = "https://api.x.com", "https://x.com"
    post = make_post(content="", parts=[{"content": "One"}, {"content": "Two"}, {"content": "Three"}])
    services.review_post(actor=alice, post=post, action=1)
    answers = iter([(201, {}, json.dumps({"data": {"id": "100", "text": "One"}})),
                    (201, {}, json.dumps({"data": {"id": "101", "text": "Two"}})),
                    (503, {}, json.dumps({"title": "Service Unavailable"}))])
    with responses.RequestsMock() as x:
        x.add_callback(responses.POST, "https://api.x.com/2/tweets", callback=lambda request: next(answers))
        publishing.publish_post(post_id=post.pk)

    parts = body_of(api(alice).get(f"/api/posts/{post.pk}"), status=200)["parts"]

    assert [(c["state"], c["remote_id"], c["remote_url"]) for p in parts for c in p["channels"]] == [
        ("published", "100", "https://x.com/alice_x/status/100"),
        ("published", "101", "https://x.com/alice_x/status/101"),
        ("retry", "", ""),
    ]


def test_a_patch_rewrites_the_thread(api, rita, make_post):
    post = make_post(content="", parts=[{"content": "One"}, {"content": "Two"}])
    second = post.parts.get()
    body = body_of(api(rita).patch(f"/api/posts/{post.pk}", {
        "parts": [{"content": "One!"}, {"content": "New two"}, {"id": str(second.pk), "content": "Two, third now"}],
    }, format="json"), status=200)
    assert [p["content"] for p in body["parts"]] == ["One!", "New two", "Two, third now"]


def test_channel_states_are_queued_only_after_approval_and_documented(api, alice, make_post, client):
    post = make_post()
    states = lambda: [c["state"] for c in body_of(api(alice).get(f"/api/posts/{post.pk}"), 200)["channels"]]  # noqa: E731
    assert states() == ["awaiting_approval"]

    services.review_post(actor=alice, post=post, action=1)
    assert states() == ["queued"]

    schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    (ref,) = schema["Channel"]["properties"]["state"]["allOf"]
    assert {"awaiting_approval", "not_sent", "queued", "published"} <= set(schema[ref["$ref"].rsplit("/", 1)[1]]["enum"])
    assert "awaiting_approval" in schema["Channel"]["properties"]["state"]["description"]
