"""x-rate-limit headers on every /2 answer, and 429 once a window is spent."""
from __future__ import annotations

import time

import requests

TOO_MANY = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}


def test_posting_past_the_user_limit_answers_429_with_headers(start, make_account, oauth2_headers):
    sandbox = start(tweet_rate_limit=3)
    headers = oauth2_headers(make_account(sandbox, "alice_x"))
    started = time.time()

    answers = [requests.post(f"{sandbox.url}/2/tweets", json={"text": f"t{i}"}, headers=headers, timeout=5)
               for i in range(4)]

    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert [a.headers["x-rate-limit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    limited = answers[-1]
    assert limited.json() == TOO_MANY
    assert limited.headers["x-rate-limit-limit"] == "3"
    assert int(started) + 900 - 1 <= int(limited.headers["x-rate-limit-reset"]) <= int(time.time()) + 900
    assert len(sandbox.state.tweets) == 3


def test_limits_are_per_user(start, make_account, oauth2_headers):
    sandbox = start(tweet_rate_limit=1)
    for name in ("alice_x", "bob"):
        headers = oauth2_headers(make_account(sandbox, name))
        assert requests.post(f"{sandbox.url}/2/tweets", json={"text": "hi"}, headers=headers, timeout=5).status_code == 201


def test_the_app_daily_limit_covers_all_users(start, make_account, oauth2_headers):
    sandbox = start(tweet_app_daily_limit=1)
    alice, bob = (oauth2_headers(make_account(sandbox, name)) for name in ("alice_x", "bob"))
    assert requests.post(f"{sandbox.url}/2/tweets", json={"text": "a"}, headers=alice, timeout=5).status_code == 201
    limited = requests.post(f"{sandbox.url}/2/tweets", json={"text": "b"}, headers=bob, timeout=5)
    assert limited.status_code == 429
    assert limited.headers["x-app-limit-24hour-remaining"] == "0"


def test_a_new_window_starts_after_the_old_one_ends(start, make_account, oauth2_headers):
    sandbox = start(tweet_rate_limit=1, rate_window_s=1)
    headers = oauth2_headers(make_account(sandbox, "alice_x"))
    assert requests.post(f"{sandbox.url}/2/tweets", json={"text": "a"}, headers=headers, timeout=5).status_code == 201
    assert requests.post(f"{sandbox.url}/2/tweets", json={"text": "b"}, headers=headers, timeout=5).status_code == 429
    time.sleep(1.05)
    assert requests.post(f"{sandbox.url}/2/tweets", json={"text": "c"}, headers=headers, timeout=5).status_code == 201


def test_reads_carry_headers_too(sandbox, alice, oauth2_headers):
    answer = requests.get(f"{sandbox.url}/2/users/me", headers=oauth2_headers(alice), timeout=5)
    assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= set(answer.headers)


def test_the_user_daily_cap_answers_429_with_the_user_24_hour_headers(sandbox, make_account, oauth2_headers):
    requests.post(f"{sandbox.url}/_sandbox/faults", json={"tweet_user_daily_limit": 2}, timeout=5)
    alice, bob = (oauth2_headers(make_account(sandbox, name)) for name in ("alice_x", "bob"))
    started = time.time()

    answers = [requests.post(f"{sandbox.url}/2/tweets", json={"text": f"t{i}"}, headers=alice, timeout=5)
               for i in range(3)]

    assert [a.status_code for a in answers] == [201, 201, 429]
    limited = answers[-1]
    assert limited.json() == TOO_MANY
    assert (limited.headers["x-user-limit-24hour-limit"], limited.headers["x-user-limit-24hour-remaining"]) == ("2", "0")
    assert int(started) + 86400 - 1 <= int(limited.headers["x-user-limit-24hour-reset"]) <= int(time.time()) + 86400
    assert limited.headers["x-rate-limit-remaining"] == "98"  # the 15-minute window is not what ran out
    assert limited.headers["x-app-limit-24hour-remaining"] == str(10000 - 2)
    assert requests.post(f"{sandbox.url}/2/tweets", json={"text": "b"}, headers=bob, timeout=5).status_code == 201


def test_the_app_daily_cap_is_per_app_and_set_at_runtime(sandbox, make_account, oauth2_headers):
    requests.post(f"{sandbox.url}/_sandbox/faults", json={"tweet_app_daily_limit": 1}, timeout=5)
    other_app = requests.post(f"{sandbox.url}/_sandbox/apps", json={"name": "Other"}, timeout=5).json()
    alice = oauth2_headers(make_account(sandbox, "alice_x"))
    carol = oauth2_headers(make_account(sandbox, "carol", app_id=other_app["id"]))

    assert requests.post(f"{sandbox.url}/2/tweets", json={"text": "a"}, headers=alice, timeout=5).status_code == 201
    limited = requests.post(f"{sandbox.url}/2/tweets", json={"text": "b"}, headers=alice, timeout=5)
    other = requests.post(f"{sandbox.url}/2/tweets", json={"text": "c"}, headers=carol, timeout=5)

    assert limited.status_code == 429
    assert (limited.headers["x-app-limit-24hour-limit"], limited.headers["x-app-limit-24hour-remaining"]) == ("1", "0")
    assert "x-rate-limit-reset" in limited.headers and "x-user-limit-24hour-reset" in limited.headers
    assert other.status_code == 201


def test_the_15_minute_window_is_per_app_and_the_user_day_cap_spans_apps(start, make_account, oauth2_headers):
    sandbox = start(tweet_rate_limit=1, tweet_user_daily_limit=2)
    second, third = (requests.post(f"{sandbox.url}/_sandbox/apps", json={}, timeout=5).json()["id"] for _ in "23")
    via = {app: oauth2_headers(make_account(sandbox, "alice_x", app_id=app)) for app in ("1", second, third)}

    def post(text, app):
        return requests.post(f"{sandbox.url}/2/tweets", json={"text": text}, headers=via[app], timeout=5)

    assert [post("a", "1").status_code, post("b", "1").status_code, post("c", second).status_code] == [201, 429, 201]
    capped = post("d", third)  # a fresh 15-minute window, but alice's day is spent on every app
    assert capped.status_code == 429
    assert capped.headers["x-user-limit-24hour-remaining"] == "0" and capped.headers["x-rate-limit-remaining"] == "1"
