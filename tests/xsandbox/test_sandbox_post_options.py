"""Every CreatePostsRequest option the sandbox takes, checked as X's spec (v2.167) describes it."""
from __future__ import annotations

import pytest
import requests

POLL = {"options": ["Yes", "No"], "duration_minutes": 60}


def post(sandbox, account, oauth2_headers, body) -> requests.Response:
    return requests.post(f"{sandbox.url}/2/tweets", json=body, headers=oauth2_headers(account), timeout=5)


def error_message(answer: requests.Response) -> str:
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["title"] == "Invalid Request"
    assert body["type"] == "https://api.x.com/2/problems/invalid-request"
    return body["errors"][0]["message"]


def recorded(sandbox, tweet_id):
    answer = requests.get(f"{sandbox.url}/_sandbox/tweets", timeout=5).json()["data"]
    return next(t for t in answer if t["id"] == tweet_id)["options"]


def test_every_option_is_accepted_and_recorded(sandbox, alice, oauth2_headers):
    answer = post(sandbox, alice, oauth2_headers, {
        "text": "Which one?", "poll": POLL, "reply_settings": "following", "community_id": "1146654567674912769",
        "share_with_followers": True, "made_with_ai": True, "paid_partnership": True})

    assert answer.status_code == 201, answer.text
    assert recorded(sandbox, answer.json()["data"]["id"]) == {
        "poll": POLL, "reply_settings": "following", "community_id": "1146654567674912769",
        "share_with_followers": True, "made_with_ai": True, "paid_partnership": True}


def test_a_plain_post_records_everyone_may_reply(sandbox, alice, oauth2_headers):
    tweet_id = post(sandbox, alice, oauth2_headers, {"text": "plain"}).json()["data"]["id"]
    assert recorded(sandbox, tweet_id)["reply_settings"] == "everyone"
    assert recorded(sandbox, tweet_id)["poll"] is None


def test_a_poll_reads_back_through_expansions(sandbox, alice, oauth2_headers):
    tweet_id = post(sandbox, alice, oauth2_headers, {"text": "Vote", "poll": POLL}).json()["data"]["id"]
    answer = requests.get(f"{sandbox.url}/2/tweets/{tweet_id}", headers=oauth2_headers(alice), timeout=5, params={
        "expansions": "attachments.poll_ids", "tweet.fields": "attachments,reply_settings"}).json()

    assert answer["data"]["attachments"] == {"poll_ids": [tweet_id]}
    assert answer["data"]["reply_settings"] == "everyone"
    poll = answer["includes"]["polls"][0]
    assert [o["label"] for o in poll["options"]] == ["Yes", "No"]
    assert poll["duration_minutes"] == 60 and poll["voting_status"] == "open"


@pytest.mark.parametrize("poll, message", [
    ({"options": ["Only one"], "duration_minutes": 60}, "$.poll.options: must have at least 2 items but found 1"),
    ({"options": ["a", "b", "c", "d", "e"], "duration_minutes": 60},
     "$.poll.options: must have at most 4 items but found 5"),
    ({"options": ["a", ""], "duration_minutes": 60}, "$.poll.options[1]: must be at least 1 characters long"),
    ({"options": ["a", "x" * 26], "duration_minutes": 60}, "$.poll.options[1]: may only be 25 characters long"),
    ({"options": ["a", "b"], "duration_minutes": 4}, "$.poll.duration_minutes: must have a minimum value of 5"),
    ({"options": ["a", "b"], "duration_minutes": 10081},
     "$.poll.duration_minutes: must have a maximum value of 10080"),
    ({"options": ["a", "b"]}, "$.poll: required property 'duration_minutes' not found"),
    ({"options": ["a", "b"], "duration_minutes": "60"}, "$.poll.duration_minutes: str found, integer expected"),
])
def test_a_poll_out_of_the_specs_bounds_answers_400(sandbox, alice, oauth2_headers, poll, message):
    assert error_message(post(sandbox, alice, oauth2_headers, {"text": "Vote", "poll": poll})) == message
    assert not sandbox.state.tweets


def test_the_bounds_themselves_are_accepted(sandbox, alice, oauth2_headers):
    for index, (options, minutes) in enumerate([(["a", "b"], 5), (["x" * 25] * 4, 10080)]):
        body = {"text": f"Vote {index}", "poll": {"options": options, "duration_minutes": minutes}}
        assert post(sandbox, alice, oauth2_headers, body).status_code == 201


def test_reply_settings_outside_the_enumeration_answers_400(sandbox, alice, oauth2_headers):
    message = error_message(post(sandbox, alice, oauth2_headers, {"text": "x", "reply_settings": "everyone"}))
    assert message == ("$.reply_settings: does not have a value in the enumeration "
                       "[following, mentionedUsers, subscribers, verified]")


@pytest.mark.parametrize("reply_settings", ["following", "mentionedUsers", "subscribers", "verified"])
def test_each_reply_setting_is_kept(sandbox, alice, oauth2_headers, reply_settings):
    answer = post(sandbox, alice, oauth2_headers, {"text": f"to {reply_settings}", "reply_settings": reply_settings})
    assert recorded(sandbox, answer.json()["data"]["id"])["reply_settings"] == reply_settings


def test_a_community_id_must_be_numeric(sandbox, alice, oauth2_headers):
    message = error_message(post(sandbox, alice, oauth2_headers, {"text": "x", "community_id": "abc"}))
    assert message == "$.community_id: does not match the regex pattern ^[0-9]{1,19}$"


def test_labels_must_be_booleans(sandbox, alice, oauth2_headers):
    message = error_message(post(sandbox, alice, oauth2_headers, {"text": "x", "made_with_ai": "yes"}))
    assert message == "$.made_with_ai: str found, boolean expected"


def test_an_unknown_property_answers_400(sandbox, alice, oauth2_headers):
    message = error_message(post(sandbox, alice, oauth2_headers, {"text": "x", "polls": POLL}))
    assert message == "$.polls: is not defined in the schema and the schema does not allow additional properties"


@pytest.mark.parametrize("extra, names", [
    ({"poll": POLL, "quote_tweet_id": "QUOTED"}, "poll and quote_tweet_id"),
    ({"media": {"media_ids": ["123"]}, "poll": POLL}, "media and poll"),
    ({"media": {"media_ids": ["123"]}, "quote_tweet_id": "QUOTED"}, "media and quote_tweet_id"),
])
def test_media_poll_and_quote_cannot_be_combined(sandbox, alice, oauth2_headers, extra, names):
    quoted = post(sandbox, alice, oauth2_headers, {"text": "to quote"}).json()["data"]["id"]
    body = {"text": "combined", **{k: (quoted if v == "QUOTED" else v) for k, v in extra.items()}}
    message = error_message(post(sandbox, alice, oauth2_headers, body))
    assert message.startswith(f"{names} cannot be combined")
    assert len(sandbox.state.tweets) == 1


def test_a_quote_with_a_poll_free_body_is_recorded(sandbox, alice, oauth2_headers):
    quoted = post(sandbox, alice, oauth2_headers, {"text": "original"}).json()["data"]["id"]
    answer = post(sandbox, alice, oauth2_headers, {"text": "my take", "quote_tweet_id": quoted})
    assert sandbox.state.tweets[answer.json()["data"]["id"]].quote_of == quoted


def test_the_post_page_shows_the_options(sandbox, alice, oauth2_headers):
    tweet_id = post(sandbox, alice, oauth2_headers, {
        "text": "Vote", "poll": POLL, "reply_settings": "verified", "made_with_ai": True}).json()["data"]["id"]
    page = requests.get(f"{sandbox.url}/alice_x/status/{tweet_id}", timeout=5).text
    assert "<li>Yes</li><li>No</li>" in page
    assert "Who can reply: verified" in page and "Made with AI" in page
