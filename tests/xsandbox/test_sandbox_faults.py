"""Switchable faults: 503s, lost answers, delays, usage cap, token expiry, forced one-shot answers."""
from __future__ import annotations

import time

import pytest
import requests


def post(sandbox, headers, text="hello") -> requests.Response:
    return requests.post(f"{sandbox.url}/2/tweets", json={"text": text}, headers=headers, timeout=5)


def set_faults(sandbox, **faults) -> dict:
    answer = requests.post(f"{sandbox.url}/_sandbox/faults", json=faults, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_fail_rate_answers_503_and_creates_nothing(start, make_account, oauth2_headers):
    sandbox = start(tweet_fail_rate=1.0)
    answer = post(sandbox, oauth2_headers(make_account(sandbox, "alice_x")))
    assert answer.status_code == 503
    assert answer.json() == {"title": "Service Unavailable", "detail": "Service Unavailable",
                             "type": "about:blank", "status": 503}
    assert sandbox.state.tweets == {}


def test_a_lost_answer_still_creates_the_tweet(sandbox, alice, oauth2_headers):
    set_faults(sandbox, tweet_lose_answer_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        post(sandbox, oauth2_headers(alice), "did it post?")
    tweets = requests.get(f"{sandbox.url}/_sandbox/tweets", timeout=5).json()["data"]
    assert [(t["text"], t["author_username"]) for t in tweets] == [("did it post?", "alice_x")]


def test_delay_slows_posting(start, make_account, oauth2_headers):
    sandbox = start(tweet_delay_ms=300)
    headers = oauth2_headers(make_account(sandbox, "alice_x"))
    started = time.monotonic()
    assert post(sandbox, headers).status_code == 201
    assert time.monotonic() - started >= 0.3


def test_slow_ms_slows_every_endpoint_but_the_control_api(sandbox, alice, oauth2_headers):
    set_faults(sandbox, slow_ms=200)
    started = time.monotonic()
    requests.get(f"{sandbox.url}/2/users/me", headers=oauth2_headers(alice), timeout=5)
    assert time.monotonic() - started >= 0.2


def test_usage_cap_answers_429_usage_cap_exceeded_as_x_does(sandbox, alice, oauth2_headers):
    set_faults(sandbox, usage_capped=True)

    answer = post(sandbox, oauth2_headers(alice))

    assert answer.status_code == 429
    assert answer.json() == {"account_id": sandbox.state.config.account_id, "title": "UsageCapExceeded",
                             "period": "Monthly", "scope": "Product",
                             "detail": "Usage cap exceeded: Monthly product cap",
                             "type": "https://api.x.com/2/problems/usage-capped"}
    assert "x-rate-limit-reset" not in answer.headers  # not a rate limit: waiting 15 minutes does not help
    assert sandbox.state.tweets == {}


def test_credits_depleted_answers_402_until_switched_off(sandbox, alice, oauth2_headers):
    set_faults(sandbox, credits_depleted=True)

    answer = post(sandbox, oauth2_headers(alice))

    assert answer.status_code == 402
    account = sandbox.state.config.account_id
    assert answer.json() == {"account_id": account, "title": "CreditsDepleted",
                             "detail": f"Your enrolled account [{account}] does not have any credits to fulfill "
                                       "this request.",
                             "type": "https://api.x.com/2/problems/credits"}
    assert sandbox.state.tweets == {}
    set_faults(sandbox, credits_depleted=False)  # "credits added": the retry works
    assert post(sandbox, oauth2_headers(alice)).status_code == 201


def test_reply_not_summoned_refuses_replies_to_others_but_not_a_thread(sandbox, alice, make_account, oauth2_headers):
    bob = make_account(sandbox, "bob")
    bobs = post(sandbox, oauth2_headers(bob), "bob speaks").json()["data"]["id"]
    first = post(sandbox, oauth2_headers(alice), "1/2").json()["data"]["id"]
    set_faults(sandbox, reply_not_summoned=True)

    refused = requests.post(f"{sandbox.url}/2/tweets", headers=oauth2_headers(alice), timeout=5,
                            json={"text": "hi bob", "reply": {"in_reply_to_tweet_id": bobs}})
    thread = requests.post(f"{sandbox.url}/2/tweets", headers=oauth2_headers(alice), timeout=5,
                           json={"text": "2/2", "reply": {"in_reply_to_tweet_id": first}})

    assert refused.status_code == 403
    assert refused.json() == {
        "title": "Forbidden", "type": "about:blank", "status": 403,
        "detail": "Reply to this conversation is not allowed because you have not been mentioned or otherwise "
                  "engaged by the author of the post you are replying to."}
    assert thread.status_code == 201


def test_reply_not_summoned_lets_a_mentioned_user_reply(sandbox, alice, make_account, oauth2_headers):
    bob = make_account(sandbox, "bob")
    asks = post(sandbox, oauth2_headers(bob), "what do you think, @Alice_X?").json()["data"]["id"]
    set_faults(sandbox, reply_not_summoned=True)
    reply = requests.post(f"{sandbox.url}/2/tweets", headers=oauth2_headers(alice), timeout=5,
                          json={"text": "I agree", "reply": {"in_reply_to_tweet_id": asks}})
    assert reply.status_code == 201


def test_expire_token_rate_expires_the_token_for_good(sandbox, alice, oauth2_headers):
    set_faults(sandbox, expire_token_rate=1.0)
    assert post(sandbox, oauth2_headers(alice)).status_code == 401
    set_faults(sandbox, expire_token_rate=0.0)
    assert post(sandbox, oauth2_headers(alice)).status_code == 401


def test_stats_count_the_tokens_the_fault_expired_per_user(sandbox, alice, oauth2_headers):
    set_faults(sandbox, expire_token_rate=1.0)
    post(sandbox, oauth2_headers(alice))
    post(sandbox, oauth2_headers(alice))  # already expired: refused, not expired again
    stats = requests.get(f"{sandbox.url}/_sandbox/stats", timeout=5).json()
    assert stats["expired_by_user"] == {alice["id"]: 1}


def test_forced_answer_applies_count_times_then_stops(sandbox, alice, oauth2_headers):
    forced = {"path": "/2/tweets", "status": 503, "count": 2,
              "body": {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank",
                       "status": 503}}
    requests.post(f"{sandbox.url}/_sandbox/faults/next", json=forced, timeout=5)
    codes = [post(sandbox, oauth2_headers(alice), f"t{i}").status_code for i in range(3)]
    assert codes == [503, 503, 201]


def test_forced_answer_after_lets_the_first_requests_through(sandbox, alice, oauth2_headers):
    requests.post(f"{sandbox.url}/_sandbox/faults/next", json={"path": "/2/tweets", "after": 2}, timeout=5)
    codes = [post(sandbox, oauth2_headers(alice), f"t{i}").status_code for i in range(4)]
    assert codes == [201, 201, 503, 201]


def test_forced_lost_answer_creates_the_tweet(sandbox, alice, oauth2_headers):
    requests.post(f"{sandbox.url}/_sandbox/faults/next", json={"path": "/2/tweets", "lose_answer": True}, timeout=5)
    with pytest.raises(requests.ConnectionError):
        post(sandbox, oauth2_headers(alice))
    assert len(sandbox.state.tweets) == 1
    assert post(sandbox, oauth2_headers(alice), "next one").status_code == 201


def test_forced_answers_work_on_the_token_endpoint(sandbox, alice):
    requests.post(f"{sandbox.url}/_sandbox/faults/next", json={"path": "/2/oauth2/token", "status": 502}, timeout=5)
    answer = requests.post(f"{sandbox.url}/2/oauth2/token", auth=("sandbox-client-id", "sandbox-client-secret"),
                           data={"grant_type": "refresh_token", "refresh_token": alice["oauth2"]["refresh_token"]},
                           timeout=5)
    assert answer.status_code == 502
    assert sandbox.state.refresh_tokens[alice["oauth2"]["refresh_token"]].spent is False


def test_faults_merge_and_reset_restores_the_start_settings(start):
    sandbox = start(tweet_delay_ms=5)
    merged = set_faults(sandbox, tweet_fail_rate=0.5, seed=7)
    assert merged["tweet_delay_ms"] == 5 and merged["tweet_fail_rate"] == 0.5 and merged["seed"] == 7
    bad = requests.post(f"{sandbox.url}/_sandbox/faults", json={"tweet_fail_rate": 2}, timeout=5)
    assert bad.status_code == 400
    assert requests.post(f"{sandbox.url}/_sandbox/faults", json={"nope": 1}, timeout=5).status_code == 400

    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5)

    assert requests.get(f"{sandbox.url}/_sandbox/faults", timeout=5).json()["tweet_fail_rate"] == 0.0


def test_a_seed_makes_random_faults_repeatable(start, make_account, oauth2_headers):
    def run() -> list[int]:
        sandbox = start(tweet_fail_rate=0.5, seed=42)
        headers = oauth2_headers(make_account(sandbox, "alice_x"))
        return [post(sandbox, headers, f"t{i}").status_code for i in range(12)]

    first = run()
    assert first == run()
    assert {201, 503} == set(first)
