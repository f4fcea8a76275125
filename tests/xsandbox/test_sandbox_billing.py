"""Pay-per-use: every billable call is charged into the ledger at X's prices."""
from __future__ import annotations

import requests


def ledger(sandbox, **params):
    return requests.get(f"{sandbox.url}/_sandbox/ledger", params=params, timeout=5).json()


def create(sandbox, headers, text):
    answer = requests.post(f"{sandbox.url}/2/tweets", json={"text": text}, headers=headers, timeout=5)
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]["id"]


def test_a_post_costs_0_015_and_a_post_with_a_link_0_20(sandbox, alice, oauth2_headers):
    create(sandbox, oauth2_headers(alice), "Plain words")
    create(sandbox, oauth2_headers(alice), "Read https://example.com/news")

    book = ledger(sandbox)
    assert [(e["kind"], e["usd"]) for e in book["data"]] == [("post_create", "0.015"), ("post_create_url", "0.2")]
    assert book["total_usd"] == "0.215" and book["total_micros"] == 215_000


def test_a_bare_domain_is_a_link_too(sandbox, alice, oauth2_headers):
    create(sandbox, oauth2_headers(alice), "See example.com")
    assert ledger(sandbox)["data"][0]["kind"] == "post_create_url"


def test_refused_calls_cost_nothing(sandbox, alice, oauth2_headers):
    create(sandbox, oauth2_headers(alice), "Once")
    again = requests.post(f"{sandbox.url}/2/tweets", json={"text": "Once"}, headers=oauth2_headers(alice), timeout=5)
    assert again.status_code == 403
    requests.post(f"{sandbox.url}/2/tweets", json={"text": "x", "poll": {}}, headers=oauth2_headers(alice), timeout=5)
    assert len(ledger(sandbox)["data"]) == 1


def test_reading_a_post_is_charged_once_per_utc_day(sandbox, alice, oauth2_headers):
    tweet_id = create(sandbox, oauth2_headers(alice), "Read me")
    for _ in range(3):
        requests.get(f"{sandbox.url}/2/tweets", params={"ids": tweet_id}, headers=oauth2_headers(alice), timeout=5)
    requests.get(f"{sandbox.url}/2/users/{alice['id']}/tweets", headers=oauth2_headers(alice), timeout=5)

    reads = [e for e in ledger(sandbox)["data"] if e["kind"] == "post_read"]
    assert [(e["resource_id"], e["usd"]) for e in reads] == [(tweet_id, "0.005")]


def test_reading_your_own_user_costs_0_001(sandbox, alice, oauth2_headers):
    requests.get(f"{sandbox.url}/2/users/me", headers=oauth2_headers(alice), timeout=5)
    assert [(e["kind"], e["usd"], e["endpoint"]) for e in ledger(sandbox)["data"]] == [
        ("own_read", "0.001", "GET /2/users/me")]


def test_the_ledger_is_kept_per_app(sandbox, make_account, oauth2_headers):
    app = requests.post(f"{sandbox.url}/_sandbox/apps", json={"name": "Agency B"}, timeout=5).json()
    one = make_account(sandbox, "one_x")
    two = make_account(sandbox, "two_x", app_id=app["id"])
    create(sandbox, oauth2_headers(one), "From app 1")
    create(sandbox, oauth2_headers(two), "From app 2 https://example.org")

    book = ledger(sandbox)
    assert book["by_app"] == {"1": {"micros": 15_000, "usd": "0.015"}, app["id"]: {"micros": 200_000, "usd": "0.2"}}
    assert [e["kind"] for e in ledger(sandbox, app_id=app["id"])["data"]] == ["post_create_url"]


def test_reset_clears_the_ledger(sandbox, alice, oauth2_headers):
    create(sandbox, oauth2_headers(alice), "Soon forgotten")
    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5)
    assert ledger(sandbox)["data"] == []


def test_prices_are_settings(start, make_account, oauth2_headers):
    sandbox = start(price_post_create=20_000)
    account = make_account(sandbox, "priced_x")
    create(sandbox, oauth2_headers(account), "Dearer")
    assert ledger(sandbox)["total_usd"] == "0.02"


def test_alt_text_costs_0_005_and_the_upload_nothing(sandbox, alice, oauth2_headers):
    headers = oauth2_headers(alice)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    media_id = requests.post(f"{sandbox.url}/2/media/upload", headers=headers, timeout=5,
                             data={"media_category": "tweet_image"}, files={"media": ("cat.png", png)}).json()["data"]["id"]
    requests.post(f"{sandbox.url}/2/media/metadata", headers=headers, timeout=5,
                  json={"id": media_id, "metadata": {"alt_text": {"text": "A cat"}}})

    assert [(e["kind"], e["usd"], e["endpoint"]) for e in ledger(sandbox)["data"]] == [
        ("media_metadata", "0.005", "POST /2/media/metadata")]
