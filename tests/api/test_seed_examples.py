"""The seed's example requests (../shared/seed/twitter-integration.md), run as written, with a JWT.

Placeholders (user123, task456, "twitter-channel-id", postId123) are replaced by real ids.
"""

import datetime as dt
import json

import pytest
from django.utils import timezone

from posts.models import Post, ReviewEvent
from tests.conftest import PNG_BYTES, upload


def seed_body(account):
    # "Reseller creates a post for a specific user and task", schedule_at = tomorrow.
    return {
        "content": "Exciting news about our new product launch! 🚀",
        "hashtags": ["productlaunch", "innovation", "tech"],
        "post_channels": [{"channel_id": str(account.pk)}],
        "schedule_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
    }


def test_reseller_creates_a_post_for_a_user_with_json(api, rita, alice, task, alice_account):
    response = api(rita).post(
        f"/post/for-user/{alice.pk}/{task.pk}", json.dumps(seed_body(alice_account)), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == 0
    assert body["hashtags"] == ["productlaunch", "innovation", "tech"]
    assert body["client"] == str(alice.pk) and body["task"] == str(task.pk)
    assert [c["channel_id"] for c in body["channels"]] == [str(alice_account.pk)]
    assert isinstance(body["id"], str)
    post = Post.objects.get(pk=body["id"])
    assert post.created_by == rita and post.schedule_at is not None


def test_reseller_creates_a_post_with_multipart_form_data(api, rita, alice, task, alice_account):
    # The seed's http example says multipart/form-data: lists travel as JSON strings, files as files.
    response = api(rita).post(
        f"/post/for-user/{alice.pk}/{task.pk}",
        {
            "content": "Your post content here",
            "hashtags": json.dumps(["tag1", "tag2"]),
            "post_channels": json.dumps([{"channel_id": str(alice_account.pk)}]),
            "media": [upload("photo.png", PNG_BYTES, "image/png")],
            "alt_texts": ["A tiny photo"],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == 0 and body["schedule_at"] is None
    assert body["hashtags"] == ["tag1", "tag2"]
    assert [(m["kind"], m["alt_text"]) for m in body["media"]] == [("image", "A tiny photo")]
    assert body["media"][0]["url"].startswith("http://testserver/")


def test_multipart_lists_may_be_repeated_or_indexed_fields(api, rita, alice, task, alice_account):
    response = api(rita).post(
        f"/post/for-user/{alice.pk}/{task.pk}",
        {"content": "Indexed", "hashtags[]": ["one", "two"], "post_channels[0][channel_id]": str(alice_account.pk)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["hashtags"] == ["one", "two"]


def test_the_seed_http_examples_past_schedule_is_refused_with_a_clear_message(api, rita, alice, task, alice_account):
    # The http example's schedule_at is 2024-01-01T10:00:00Z, which is now in the past.
    response = api(rita).post(
        f"/post/for-user/{alice.pk}/{task.pk}",
        {
            "content": "Your post content here",
            "hashtags": ["tag1", "tag2"],
            "post_channels": [{"channel_id": str(alice_account.pk)}],
            "schedule_at": "2024-01-01T10:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "The scheduled time is in the past.",
        "details": {"schedule_at": ["The scheduled time is in the past."]},
    }


def test_a_schedule_without_a_utc_offset_is_refused(api, rita, alice, task, alice_account):
    body = seed_body(alice_account) | {"schedule_at": "2099-01-01T10:00:00"}
    response = api(rita).post(f"/post/for-user/{alice.pk}/{task.pk}", body, format="json")
    assert response.status_code == 400
    assert "UTC offset" in response.json()["details"]["schedule_at"][0]


def test_a_placeholder_channel_id_is_not_a_connected_account(api, rita, alice, task, alice_account):
    body = seed_body(alice_account) | {"post_channels": [{"channel_id": str(alice_account.pk + 1000)}]}
    response = api(rita).post(f"/post/for-user/{alice.pk}/{task.pk}", body, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "Twitter account not connected for this user"


def test_content_over_280_gives_the_seeds_message(api, rita, alice, task, alice_account):
    body = seed_body(alice_account) | {"content": "x" * 281}
    response = api(rita).post(f"/post/for-user/{alice.pk}/{task.pk}", body, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "Tweet content exceeds 280 character limit"


def test_a_task_that_does_not_belong_to_the_user_is_404(api, rita, bob, task, alice_account):
    response = api(rita).post(f"/post/for-user/{bob.pk}/{task.pk}", seed_body(alice_account), format="json")
    assert response.status_code == 404
    assert response.json() == {"success": False, "message": "Not found.", "details": {}}


def test_the_client_approves_with_the_seeds_body(api, alice, make_post, django_capture_on_commit_callbacks):
    post = make_post()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alice).patch(
            f"/post/{post.pk}/review",
            json.dumps({"action": 1, "feedback": "Great post! Approved for publishing.", "version": 1}),
            content_type="application/json",
        )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == 1
    assert response.json()["feedback"] == "Great post! Approved for publishing."
    from django_q.models import OrmQ

    # handed to publishing once committed
    assert [(q.func(), q.args()) for q in OrmQ.objects.all()] == [("posts.tasks.publish", (post.pk,))]
    event = ReviewEvent.objects.get(post=post)
    assert (event.actor, event.action) == (alice, 1)


def test_the_client_rejects_and_the_history_shows_it(api, alice, make_post):
    post = make_post()
    response = api(alice).patch(f"/post/{post.pk}/review", {"action": 2, "feedback": "Too salesy", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["status"] == 5
    history = api(alice).get(f"/api/posts/{post.pk}/reviews").json()
    assert [(e["action"], e["feedback"], e["actor"]) for e in history["results"]] == [(2, "Too salesy", str(alice.pk))]


def test_reviewing_twice_is_a_conflict(api, alice, make_post):
    post = make_post()
    api(alice).patch(f"/post/{post.pk}/review", {"action": 1, "version": 1}, format="json")
    response = api(alice).patch(f"/post/{post.pk}/review", {"action": 1, "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["success"] is False


def test_an_unknown_action_is_a_field_error(api, alice, make_post):
    post = make_post()
    response = api(alice).patch(f"/post/{post.pk}/review", {"action": 3, "version": 1}, format="json")
    assert response.status_code == 400
    assert "action" in response.json()["details"]


@pytest.mark.parametrize("action, status", [("approve", 1), ("reject", 5), ("Approve", 1), (1, 1), (2, 5), ("2", 5)])
def test_review_actions_take_the_seeds_codes_or_words(api, alice, make_post, action, status):
    post = make_post()
    response = api(alice).patch(f"/post/{post.pk}/review", {"action": action, "feedback": "Why", "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == status


def test_review_actions_from_a_form_body_take_words_too(api, alice, make_post):
    post = make_post()
    response = api(alice).patch(f"/post/{post.pk}/review", {"action": "approve", "version": 1})  # multipart
    assert response.status_code == 200 and response.json()["status"] == 1


@pytest.mark.parametrize("action", [3, 5, "approved", True, None, [1]])
def test_other_review_actions_say_what_is_accepted(api, alice, make_post, action):
    post = make_post()
    response = api(alice).patch(f"/post/{post.pk}/review", {"action": action, "version": 1}, format="json")
    assert response.status_code == 400
    assert response.json()["details"]["action"] == ['Use 1 or "approve" to approve, 2 or "reject" to reject.'] or action is None
    assert Post.objects.get(pk=post.pk).status == Post.Status.PENDING


def test_the_schema_documents_both_spellings_of_a_review_action(client, db):
    schema = client.get("/api/schema/?format=json").json()
    action = schema["components"]["schemas"]["PatchedReviewInputRequest"]["properties"]["action"]
    assert {"type": "integer", "enum": [1, 2]} in action["oneOf"]
    assert {"type": "string", "enum": ["approve", "reject"]} in action["oneOf"]
