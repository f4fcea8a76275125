"""POST /socials/publish/twitter: a client publishes at once on their own X account."""

import json

import pytest
import requests
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from posts.models import Post, TaskAssign
from socials.models import Account
from tests.conftest import PNG_BYTES, X_API, make_account, upload

API = X_API
URL = "/socials/publish/twitter"


pytestmark = pytest.mark.usefixtures("x_api")


def jwt_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def test_a_client_publishes_at_once_and_gets_the_tweet(alice, alice_account, x):
    x.post(f"{API}/2/tweets", status=201, json={"data": {"id": "1900000000000000555", "text": "t"}})

    answer = jwt_client(alice).post(URL, {"content": "Test tweet content", "hashtags": ["test", "integration"]},
                                    format="json")

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["success"] is True
    assert body["data"]["tweet_id"] == "1900000000000000555"
    assert body["data"]["url"] == "https://x.com/alice_x/status/1900000000000000555"
    assert json.loads(x.calls[0].request.body) == {"text": "Test tweet content\n\n#test #integration"}
    post = Post.objects.get(pk=body["data"]["post_id"])
    assert (post.status, post.created_by, post.reviewed_by) == (Post.Status.PUBLISHED, alice, alice)
    assert post.task.reseller is None and post.task.user == alice  # her own "published directly" task


def test_a_bearer_only_account_gets_the_seeds_answer_word_for_word(alice, x):
    make_account(alice, "alice_x", token_type=Account.TokenType.BEARER, access_token="app-bearer")

    answer = jwt_client(alice).post(URL, {"content": "Your tweet content"}, format="json")

    assert answer.status_code == 403
    assert answer.json() == {
        "success": False,
        "message": "Twitter posting requires OAuth 1.0a or OAuth 2.0 User Context authentication",
        "details": {
            "current_authentication": "Bearer Token (Application-Only)",
            "required_authentication": "OAuth 1.0a or OAuth 2.0 User Context",
            "tweet_data": {"text": "Your tweet content"},
            "action_required": "Implement proper OAuth authentication flow for posting",
        },
    }
    assert len(x.calls) == 0
    assert not Post.objects.exists()


def test_without_an_account_the_seeds_not_connected_message(alice):
    answer = jwt_client(alice).post(URL, {"content": "Hi"}, format="json")
    assert answer.status_code == 400
    assert answer.json()["message"] == "Twitter account not connected for this user"


def test_too_long_text_gets_the_seeds_message(alice, alice_account):
    answer = jwt_client(alice).post(URL, {"content": "a" * 281}, format="json")
    assert answer.status_code == 400
    assert answer.json()["message"] == "Tweet content exceeds 280 character limit"


def test_media_comes_as_uploaded_files(alice, alice_account, x):
    x.post(f"{API}/2/media/upload/initialize", json={"data": {"id": "42", "expires_after_secs": 86400}})
    x.post(f"{API}/2/media/upload/42/append", json={})
    x.post(f"{API}/2/media/upload/42/finalize", json={"data": {"id": "42"}})
    x.post(f"{API}/2/tweets", status=201, json={"data": {"id": "9", "text": "t"}})
    client = APIClient()
    client.force_authenticate(alice)

    answer = client.post(URL, {"content": "With a picture", "hashtags": "spring, sale",
                               "mediaFiles": [upload("a.png", PNG_BYTES, "image/png")]}, format="multipart")

    assert answer.status_code == 201, answer.json()
    tweet = json.loads(x.calls[-1].request.body)
    assert tweet == {"text": "With a picture\n\n#spring #sale", "media": {"media_ids": ["42"]}}


def test_a_server_file_path_is_refused(alice, alice_account, x):
    answer = jwt_client(alice).post(
        URL, {"content": "Hi", "mediaFiles": [{"name": "x.jpg", "type": "image", "file_path": "/etc/passwd"}]},
        format="json",
    )
    assert answer.status_code == 400
    assert "file_path is not accepted" in answer.json()["message"]
    assert len(x.calls) == 0


def test_when_x_does_not_answer_in_time_the_workers_finish_it(alice, alice_account, x):
    x.post(f"{API}/2/tweets", body=requests.exceptions.ConnectTimeout("connect timed out"))
    answer = jwt_client(alice).post(URL, {"content": "Hi"}, format="json")
    assert answer.status_code == 202
    assert Post.objects.get(pk=answer.json()["data"]["post_id"]).status == Post.Status.PROCESSING


def test_resellers_and_strangers_cannot_publish_directly(rita, x):
    assert jwt_client(rita).post(URL, {"content": "Hi"}, format="json").status_code == 403
    assert APIClient().post(URL, {"content": "Hi"}, format="json").status_code == 401
    assert not TaskAssign.objects.exists()


def test_a_direct_publish_tells_the_client_it_went_out(alice, alice_account, x, django_capture_on_commit_callbacks):
    from notifications.models import PendingNotification

    x.post(f"{API}/2/tweets", status=201, json={"data": {"id": "1900000000000000556", "text": "t"}})
    with django_capture_on_commit_callbacks(execute=True):
        answer = jwt_client(alice).post(URL, {"content": "Straight out"}, format="json")

    assert answer.status_code == 201, answer.json()
    (item,) = PendingNotification.objects.filter(recipient=alice, kind="post_published")
    assert item.payload["post"]["reseller"] is None
    assert item.payload["channels"][0]["url"] == "https://x.com/alice_x/status/1900000000000000556"


def test_an_account_id_too_large_for_the_database_is_not_connected(alice, alice_account):
    answer = jwt_client(alice).post(URL, {"content": "x", "accountId": 10**30}, format="json")
    assert answer.status_code == 400


def test_spent_x_credits_answer_503_telling_staff_to_add_credits(alice, alice_account, x):
    x.post(f"{API}/2/tweets", status=402, json={
        "type": "https://api.twitter.com/2/problems/credits", "title": "CreditsDepleted",
        "detail": "Your enrolled account [1] does not have any credits to fulfill this request."})

    answer = jwt_client(alice).post(URL, {"content": "Test tweet content"}, format="json")

    assert answer.status_code == 503, answer.json()
    body = answer.json()
    assert body["success"] is False
    assert "add credits to the X app" in body["message"]
    assert body["details"]["error_kind"] == "credits_depleted"


def test_a_second_cashtag_is_refused_before_anything_is_sent(alice, alice_account, x):
    answer = jwt_client(alice).post(URL, {"content": "Long $TSLA, short $AAPL"}, format="json")

    assert answer.status_code == 400, answer.json()
    assert "at most 1 cashtag" in answer.json()["message"]
    assert not x.calls


@pytest.mark.parametrize("answer, status, kind", [
    ({"status": 403, "json": {"detail": "You are not allowed to create a Tweet with duplicate content."}},
     409, "duplicate"),
    ({"status": 403, "json": {"title": "Forbidden", "detail": "You are not permitted to perform this action."}},
     403, "forbidden"),
    ({"status": 400, "json": {"title": "Invalid Request", "detail": "Your Tweet text is too long."}},
     400, "too_long"),
])
def test_each_refusal_from_x_answers_its_kinds_status_and_says_what_to_do(alice, alice_account, x, answer, status, kind):
    x.post(f"{API}/2/tweets", **answer)
    x.get(f"{API}/2/users/{alice_account.provider_account_id}/tweets", json={"data": []})  # not ours

    answer = jwt_client(alice).post(URL, {"content": "Test tweet content"}, format="json")

    assert answer.status_code == status, answer.json()
    assert answer.json()["details"]["error_kind"] == kind


def test_a_channel_that_x_never_answered_is_a_bad_gateway_not_a_client_error(alice, alice_account, x, settings):
    settings.PUBLISH_MAX_ATTEMPTS = 1
    x.post(f"{API}/2/tweets", status=503, json={"title": "Service Unavailable"})

    answer = jwt_client(alice).post(URL, {"content": "Test tweet content"}, format="json")

    assert answer.status_code == 502, answer.json()
    assert answer.json()["details"]["error_kind"] == "server"
