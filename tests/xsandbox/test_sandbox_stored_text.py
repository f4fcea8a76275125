"""Posts as X stores them: escaped text, t.co links with entities, long Premium posts, required `text`."""
from __future__ import annotations

import requests

from xsandbox.text import weighted_length

APP = {"Authorization": "Bearer sandbox-app-bearer"}


def post(sandbox, account, body) -> requests.Response:
    return requests.post(f"{sandbox.url}/2/tweets", json=body, timeout=5,
                         headers={"Authorization": f"Bearer {account['oauth2']['access_token']}"})


def lookup(sandbox, tweet_id, fields="entities,note_tweet") -> dict:
    answer = requests.get(f"{sandbox.url}/2/tweets/{tweet_id}", params={"tweet.fields": fields},
                          headers=APP, timeout=5)
    return answer.json()["data"]


def test_text_comes_back_escaped_with_links_as_tco_and_entities_on_request(sandbox, alice):
    created = post(sandbox, alice, {"text": "Tea & cake < 5€ at example.com > https://shop.example.org/a?b=1&c"})

    assert created.status_code == 201
    data = lookup(sandbox, created.json()["data"]["id"])
    urls = data["entities"]["urls"]
    assert data["text"] == f"Tea &amp; cake &lt; 5€ at {urls[0]['url']} &gt; {urls[1]['url']}"
    assert created.json()["data"]["text"] == data["text"]
    assert [(u["expanded_url"], u["display_url"]) for u in urls] == [
        ("http://example.com", "example.com"), ("https://shop.example.org/a?b=1&c", "shop.example.org/a?b=1&c")]
    assert all(u["url"].startswith("https://t.co/") and len(u["url"]) == 23 for u in urls)
    assert [data["text"][u["start"]:u["end"]] for u in urls] == [u["url"] for u in urls]
    assert "entities" not in lookup(sandbox, data["id"], fields="created_at")


def test_the_tco_host_is_a_setting(start, make_account):
    sandbox = start(tco_url="http://tco.test/")
    tweet_id = post(sandbox, make_account(sandbox, "alice_x"), {"text": "see example.com"}).json()["data"]["id"]
    assert lookup(sandbox, tweet_id)["entities"]["urls"][0]["url"].startswith("http://tco.test/")


def test_a_duplicate_is_the_same_posted_text_even_though_links_differ(sandbox, alice):
    assert post(sandbox, alice, {"text": "Read example.com"}).status_code == 201
    assert post(sandbox, alice, {"text": "Read example.com"}).status_code == 403


def test_a_premium_user_may_post_long_and_gets_it_back_cut_with_the_whole_in_note_tweet(sandbox, make_account):
    premium = make_account(sandbox, "pat", verified_type="blue", subscription_type="Premium")
    long_text = "Long & thoughtful. " * 30 + "More at example.com"

    created = post(sandbox, premium, {"text": long_text})

    assert created.status_code == 201, created.text
    data = lookup(sandbox, created.json()["data"]["id"])
    assert data["text"].endswith("…") and weighted_length(data["text"]) <= 280
    assert data["text"].startswith("Long &amp; thoughtful. ")
    note = data["note_tweet"]
    assert note["text"].startswith("Long &amp; thoughtful. ") and note["text"].endswith(note["entities"]["urls"][0]["url"])
    assert note["entities"]["urls"][0]["expanded_url"] == "http://example.com"
    assert "entities" not in data  # the link is past the cut
    assert created.json()["data"]["text"] == data["text"]


def test_a_short_post_has_no_note_tweet(sandbox, make_account):
    premium = make_account(sandbox, "pat", subscription_type="Premium")
    tweet_id = post(sandbox, premium, {"text": "short"}).json()["data"]["id"]
    assert "note_tweet" not in lookup(sandbox, tweet_id)


def test_without_premium_a_long_post_is_refused(sandbox, make_account):
    blue_no_premium = make_account(sandbox, "bea", verified_type="blue", subscription_type="Basic")
    answer = post(sandbox, blue_no_premium, {"text": "x" * 281})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"].startswith("Your Tweet text is too long.")


def test_the_text_key_is_required_even_with_media(sandbox, alice):
    image = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    headers = {"Authorization": f"Bearer {alice['oauth2']['access_token']}"}
    media_id = requests.post(f"{sandbox.url}/2/media/upload", headers=headers, timeout=5,
                             files={"media": ("a.png", image, "image/png")},
                             data={"media_category": "tweet_image"}).json()["data"]["id"]

    missing = post(sandbox, alice, {"media": {"media_ids": [media_id]}})
    empty = post(sandbox, alice, {"text": "", "media": {"media_ids": [media_id]}})

    assert missing.status_code == 400
    assert missing.json()["title"] == "Invalid Request" and "text" in missing.json()["errors"][0]["message"]
    assert empty.status_code == 201 and empty.json()["data"]["text"] == ""


def test_users_me_answers_verified_and_subscription_type_when_asked(sandbox, make_account):
    premium = make_account(sandbox, "pat", verified_type="blue", subscription_type="Premium")
    headers = {"Authorization": f"Bearer {premium['oauth2']['access_token']}"}

    asked = requests.get(f"{sandbox.url}/2/users/me", headers=headers, timeout=5,
                         params={"user.fields": "verified_type,subscription_type"}).json()["data"]
    plain = requests.get(f"{sandbox.url}/2/users/me", headers=headers, timeout=5).json()["data"]

    assert (asked["verified_type"], asked["subscription_type"]) == ("blue", "Premium")
    assert "verified_type" not in plain


def test_control_api_refuses_unknown_verification_values(sandbox):
    answer = requests.post(f"{sandbox.url}/_sandbox/users", json={"username": "z", "subscription_type": "Gold"},
                           timeout=5)
    assert answer.status_code == 400 and "subscription_type" in answer.json()["error"]


def test_premium_posts_stop_at_25000_characters(sandbox, make_account):
    premium = make_account(sandbox, "pat", subscription_type="PremiumPlus")
    assert post(sandbox, premium, {"text": "ab " * 8333 + "c"}).status_code == 201  # 25,000
    refused = post(sandbox, premium, {"text": "ab " * 8333 + "cd"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["message"].startswith("Your Tweet text is too long")
