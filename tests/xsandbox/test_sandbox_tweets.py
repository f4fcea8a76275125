"""Posting, reading and deleting tweets, with each kind of authentication."""
from __future__ import annotations

import requests

UNSUPPORTED_AUTHENTICATION = {
    "title": "Unsupported Authentication",
    "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported "
              "authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
    "type": "https://api.x.com/2/problems/unsupported-authentication",
    "status": 403,
}
DUPLICATE = {"detail": "You are not allowed to create a Tweet with duplicate content.", "type": "about:blank",
             "title": "Forbidden", "status": 403}
APP = {"Authorization": "Bearer sandbox-app-bearer"}


def post(sandbox, body, **kwargs) -> requests.Response:
    return requests.post(f"{sandbox.url}/2/tweets", json=body, timeout=5, **kwargs)


def test_posting_with_an_oauth2_user_token_creates_the_tweet(sandbox, alice, oauth2_headers):
    answer = post(sandbox, {"text": "Hello from SocialHub"}, headers=oauth2_headers(alice))

    assert answer.status_code == 201
    data = answer.json()["data"]
    assert data == {"id": data["id"], "text": "Hello from SocialHub", "edit_history_tweet_ids": [data["id"]]}
    assert data["id"].isdigit()
    assert sandbox.state.tweets[data["id"]].author_id == alice["id"]


def test_posting_with_oauth1_creates_the_tweet(sandbox, alice, oauth1_auth):
    answer = post(sandbox, {"text": "Signed"}, auth=oauth1_auth(alice))
    assert answer.status_code == 201


def test_ids_increase(sandbox, alice, oauth2_headers):
    ids = [int(post(sandbox, {"text": f"n{i}"}, headers=oauth2_headers(alice)).json()["data"]["id"]) for i in range(5)]
    assert ids == sorted(ids) and len(set(ids)) == 5


def test_app_bearer_cannot_post(sandbox):
    answer = post(sandbox, {"text": "as the app"}, headers=APP)
    assert answer.status_code == 403
    assert answer.json() == UNSUPPORTED_AUTHENTICATION


def test_app_bearer_can_read(sandbox, alice, oauth2_headers):
    tweet_id = post(sandbox, {"text": "public"}, headers=oauth2_headers(alice)).json()["data"]["id"]
    answer = requests.get(f"{sandbox.url}/2/tweets/{tweet_id}", headers=APP, timeout=5)
    assert answer.json()["data"]["text"] == "public"


def test_a_bad_token_answers_401(sandbox):
    answer = post(sandbox, {"text": "x"}, headers={"Authorization": "Bearer nonsense"})
    assert answer.status_code == 401
    assert answer.json() == {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}


def test_a_token_without_tweet_write_is_forbidden(sandbox, make_account, oauth2_headers):
    reader = make_account(sandbox, "reader", scopes="tweet.read users.read")
    assert post(sandbox, {"text": "x"}, headers=oauth2_headers(reader)).status_code == 403


def test_same_text_twice_is_a_duplicate_even_with_trailing_whitespace(sandbox, alice, make_account, oauth2_headers):
    assert post(sandbox, {"text": "Same words"}, headers=oauth2_headers(alice)).status_code == 201

    again = post(sandbox, {"text": "Same words \n"}, headers=oauth2_headers(alice))

    assert again.status_code == 403
    assert again.json() == DUPLICATE
    bob = make_account(sandbox, "bob")
    assert post(sandbox, {"text": "Same words"}, headers=oauth2_headers(bob)).status_code == 201


def test_text_over_280_weighted_characters_is_refused_with_xs_400(sandbox, alice, oauth2_headers):
    assert post(sandbox, {"text": "a" * 280}, headers=oauth2_headers(alice)).status_code == 201
    too_long = post(sandbox, {"text": "日本" * 71}, headers=oauth2_headers(alice))
    assert too_long.status_code == 400
    assert too_long.json() == {
        "errors": [{"parameters": {"text": ["日本" * 71]},
                    "message": "Your Tweet text is too long. For more information on how Twitter determines "
                               "text length see https://github.com/twitter/twitter-text."}],
        "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.x.com/2/problems/invalid-request"}
    assert sandbox.state.tweets.keys() == {t.id for t in sandbox.state.tweets.values() if t.posted_text == "a" * 280}


def test_urls_count_23(sandbox, alice, oauth2_headers):
    text = "a" * 250 + " https://example.com/" + "p" * 100
    assert post(sandbox, {"text": text}, headers=oauth2_headers(alice)).status_code == 201


def test_unknown_media_and_more_than_four_media_are_400(sandbox, alice, oauth2_headers):
    unknown = post(sandbox, {"text": "pic", "media": {"media_ids": ["123"]}}, headers=oauth2_headers(alice))
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["message"] == "Your media IDs are invalid."
    five = post(sandbox, {"text": "pics", "media": {"media_ids": ["1", "2", "3", "4", "5"]}},
                headers=oauth2_headers(alice))
    assert five.status_code == 400


def test_replies_need_an_existing_tweet(sandbox, alice, oauth2_headers):
    missing = post(sandbox, {"text": "reply", "reply": {"in_reply_to_tweet_id": "42"}}, headers=oauth2_headers(alice))
    assert missing.status_code == 403
    first = post(sandbox, {"text": "1/2"}, headers=oauth2_headers(alice)).json()["data"]["id"]
    reply = post(sandbox, {"text": "2/2", "reply": {"in_reply_to_tweet_id": first}}, headers=oauth2_headers(alice))
    assert reply.status_code == 201
    assert sandbox.state.tweets[reply.json()["data"]["id"]].reply_to == first


def test_lookup_returns_growing_public_metrics_and_errors_for_missing_ids(sandbox, alice, oauth2_headers):
    tweet_id = post(sandbox, {"text": "metrics"}, headers=oauth2_headers(alice)).json()["data"]["id"]
    sandbox.state.tweets[tweet_id].created_at -= 3600  # an hour old

    answer = requests.get(f"{sandbox.url}/2/tweets", headers=APP, timeout=5,
                          params={"ids": f"{tweet_id},1", "tweet.fields": "public_metrics,created_at"}).json()

    metrics = answer["data"][0]["public_metrics"]
    assert set(metrics) == {"retweet_count", "reply_count", "like_count", "quote_count", "impression_count",
                            "bookmark_count", "repost_count"}
    assert metrics["impression_count"] > 0
    assert answer["data"][0]["created_at"].endswith("Z")
    assert answer["errors"][0]["resource_id"] == "1"
    sandbox.state.tweets[tweet_id].created_at -= 3600
    later = requests.get(f"{sandbox.url}/2/tweets/{tweet_id}", headers=APP, timeout=5,
                         params={"tweet.fields": "public_metrics"}).json()["data"]["public_metrics"]
    assert later["impression_count"] > metrics["impression_count"]


def test_timeline_is_newest_first_and_paginates(sandbox, alice, oauth2_headers):
    ids = [post(sandbox, {"text": f"tweet {i}"}, headers=oauth2_headers(alice)).json()["data"]["id"] for i in range(7)]
    url = f"{sandbox.url}/2/users/{alice['id']}/tweets"

    first = requests.get(url, params={"max_results": 5}, headers=APP, timeout=5).json()
    assert [t["id"] for t in first["data"]] == ids[::-1][:5]
    assert first["meta"]["result_count"] == 5 and first["meta"]["newest_id"] == ids[-1]
    second = requests.get(url, params={"max_results": 5, "pagination_token": first["meta"]["next_token"]},
                          headers=APP, timeout=5).json()
    assert [t["id"] for t in second["data"]] == ids[1::-1]
    assert "next_token" not in second["meta"]
    assert requests.get(url, params={"max_results": 4}, headers=APP, timeout=5).status_code == 400


def test_empty_timeline(sandbox, alice):
    answer = requests.get(f"{sandbox.url}/2/users/{alice['id']}/tweets", headers=APP, timeout=5).json()
    assert answer == {"meta": {"result_count": 0}}


def test_users_me_and_by_id(sandbox, alice, oauth2_headers):
    me = requests.get(f"{sandbox.url}/2/users/me", headers=oauth2_headers(alice), timeout=5,
                      params={"user.fields": "public_metrics,profile_image_url,description"}).json()["data"]
    assert me["id"] == alice["id"] and me["username"] == "alice_x"
    assert {"public_metrics", "profile_image_url", "description"} <= set(me)
    by_id = requests.get(f"{sandbox.url}/2/users/{alice['id']}", headers=APP, timeout=5).json()["data"]
    assert by_id == {"id": alice["id"], "name": me["name"], "username": "alice_x"}
    app_me = requests.get(f"{sandbox.url}/2/users/me", headers=APP, timeout=5)
    assert app_me.json() == UNSUPPORTED_AUTHENTICATION


def test_only_the_author_can_delete(sandbox, alice, make_account, oauth2_headers):
    tweet_id = post(sandbox, {"text": "bye"}, headers=oauth2_headers(alice)).json()["data"]["id"]
    bob = make_account(sandbox, "bob")
    assert requests.delete(f"{sandbox.url}/2/tweets/{tweet_id}", headers=oauth2_headers(bob), timeout=5).status_code == 403

    deleted = requests.delete(f"{sandbox.url}/2/tweets/{tweet_id}", headers=oauth2_headers(alice), timeout=5)

    assert deleted.json() == {"data": {"deleted": True}}
    assert post(sandbox, {"text": "bye"}, headers=oauth2_headers(alice)).status_code == 201  # no longer a duplicate


def test_quoting_needs_an_existing_tweet(sandbox, alice, oauth2_headers):
    missing = post(sandbox, {"text": "look", "quote_tweet_id": "42"}, headers=oauth2_headers(alice))
    assert missing.status_code == 400 and missing.json()["errors"][0]["parameters"] == {"quote_tweet_id": ["42"]}
    quoted = post(sandbox, {"text": "original"}, headers=oauth2_headers(alice)).json()["data"]["id"]
    assert post(sandbox, {"text": "look", "quote_tweet_id": quoted}, headers=oauth2_headers(alice)).status_code == 201
