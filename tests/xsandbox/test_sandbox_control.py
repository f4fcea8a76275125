"""The control API under /_sandbox/, the home page, and starting and stopping."""
from __future__ import annotations

import time

import pytest
import requests

from xsandbox import start_sandbox


def test_users_come_with_oauth2_and_oauth1_tokens(sandbox, alice):
    assert alice["username"] == "alice_x" and alice["id"].isdigit()
    assert alice["oauth2"]["access_token"] and alice["oauth2"]["refresh_token"]
    assert alice["oauth2"]["expires_in"] == 7200
    assert alice["oauth1"]["oauth_token"] and alice["oauth1"]["oauth_token_secret"]


def test_creating_a_user_twice_returns_the_same_user(sandbox, alice, make_account):
    assert make_account(sandbox, "alice_x")["id"] == alice["id"]


def test_state_tweets_and_stats_report_what_happened(sandbox, alice, oauth2_headers):
    requests.post(f"{sandbox.url}/2/tweets", json={"text": "counted"}, headers=oauth2_headers(alice), timeout=5)

    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=5).json()
    tweets = requests.get(f"{sandbox.url}/_sandbox/tweets", timeout=5).json()["data"]
    stats = requests.get(f"{sandbox.url}/_sandbox/stats", timeout=5).json()

    assert state["users"] == 1 and state["tweets"] == 1
    assert tweets[0]["author_id"] == alice["id"] and tweets[0]["text"] == "counted"
    assert {"media_ids", "reply_to", "created_at"} <= set(tweets[0])
    assert stats["tweets_by_user"] == {alice["id"]: 1}
    assert stats["requests_by_path"] == {"POST /2/tweets": 1}


def test_reset_forgets_everything(sandbox, alice, oauth2_headers):
    requests.post(f"{sandbox.url}/2/tweets", json={"text": "gone soon"}, headers=oauth2_headers(alice), timeout=5)
    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5)
    assert requests.get(f"{sandbox.url}/_sandbox/state", timeout=5).json()["tweets"] == 0
    assert requests.get(f"{sandbox.url}/2/users/me", headers=oauth2_headers(alice), timeout=5).status_code == 401


def test_expire_by_access_token(sandbox, alice, oauth2_headers):
    expired = requests.post(f"{sandbox.url}/_sandbox/tokens/expire",
                            json={"access_token": alice["oauth2"]["access_token"]}, timeout=5).json()
    assert expired == {"expired": 1}
    assert requests.get(f"{sandbox.url}/2/users/me", headers=oauth2_headers(alice), timeout=5).status_code == 401


def test_home_page_shows_counts(sandbox):
    page = requests.get(sandbox.url + "/", timeout=5)
    assert "X sandbox" in page.text and "tweets" in page.text


def test_unknown_settings_are_refused():
    with pytest.raises(TypeError):
        start_sandbox(port=0, quiet=True, tweet_fial_rate=1)


def test_stop_frees_the_sandbox_and_ends_keep_alive_connections():
    with start_sandbox(port=0, quiet=True) as sandbox:
        session = requests.Session()
        assert session.get(f"{sandbox.url}/_sandbox/state", timeout=5).status_code == 200
    with pytest.raises(requests.ConnectionError):
        session.get(f"{sandbox.url}/_sandbox/state", timeout=5)


def test_log_lines_never_show_tokens(start, make_account, oauth2_headers, capfd):
    sandbox = start(quiet=False)
    account = make_account(sandbox, "alice_x")
    token = account["oauth2"]["access_token"]
    requests.get(f"{sandbox.url}/2/users/me?access_token={token}", headers=oauth2_headers(account), timeout=5)
    # The server thread writes its log line after the answer has gone out: wait for it.
    err, deadline = "", time.monotonic() + 5
    while "GET /2/users/me 200" not in err and time.monotonic() < deadline:
        time.sleep(0.02)
        err += capfd.readouterr().err
    assert "GET /2/users/me 200" in err
    assert token not in err
