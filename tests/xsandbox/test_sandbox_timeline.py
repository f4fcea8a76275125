"""GET /2/users/:id/tweets with the parameters X's spec gives it."""
from __future__ import annotations

from datetime import datetime, timezone

import requests

APP = {"Authorization": "Bearer sandbox-app-bearer"}


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_posts(sandbox, alice, count=6) -> list[str]:
    headers = {"Authorization": f"Bearer {alice['oauth2']['access_token']}"}
    ids = [requests.post(f"{sandbox.url}/2/tweets", json={"text": f"post {i}"}, headers=headers, timeout=5)
           .json()["data"]["id"] for i in range(count)]
    for age, tweet_id in enumerate(reversed(ids)):  # one hour apart, newest now
        sandbox.state.tweets[tweet_id].created_at -= age * 3600
    return ids


def timeline(sandbox, alice, **params) -> requests.Response:
    return requests.get(f"{sandbox.url}/2/users/{alice['id']}/tweets", params=params, headers=APP, timeout=5)


def test_start_time_and_end_time_bound_the_page(sandbox, alice):
    ids = make_posts(sandbox, alice)
    created = {i: sandbox.state.tweets[i].created_at for i in ids}

    answer = timeline(sandbox, alice, start_time=iso(created[ids[2]]), end_time=iso(created[ids[5]]),
                      **{"tweet.fields": "created_at"}).json()

    assert [t["id"] for t in answer["data"]] == [ids[4], ids[3], ids[2]]
    assert all(t["created_at"].endswith("Z") for t in answer["data"])


def test_since_id_and_until_id_are_exclusive(sandbox, alice):
    ids = make_posts(sandbox, alice)
    answer = timeline(sandbox, alice, since_id=ids[1], until_id=ids[4]).json()
    assert [t["id"] for t in answer["data"]] == [ids[3], ids[2]]


def test_pages_keep_the_filters(sandbox, alice):
    ids = make_posts(sandbox, alice, count=8)
    first = timeline(sandbox, alice, max_results=5, since_id=ids[0]).json()
    second = timeline(sandbox, alice, max_results=5, since_id=ids[0],
                      pagination_token=first["meta"]["next_token"]).json()
    assert [t["id"] for t in first["data"] + second["data"]] == ids[:0:-1]


def test_bad_times_and_ids_are_400(sandbox, alice):
    assert timeline(sandbox, alice, start_time="yesterday").status_code == 400
    assert timeline(sandbox, alice, start_time="2024-05-01T12:00:00").status_code == 400  # no zone
    assert timeline(sandbox, alice, start_time="2024-05-02T00:00:00Z", end_time="2024-05-01T00:00:00Z").status_code == 400
    assert timeline(sandbox, alice, since_id="abc").status_code == 400


def test_exclude_replies_leaves_them_out(sandbox, alice):
    ids = make_posts(sandbox, alice, count=1)
    headers = {"Authorization": f"Bearer {alice['oauth2']['access_token']}"}
    requests.post(f"{sandbox.url}/2/tweets", headers=headers, timeout=5,
                  json={"text": "2/2", "reply": {"in_reply_to_tweet_id": ids[0]}})
    assert [t["id"] for t in timeline(sandbox, alice, exclude="replies").json()["data"]] == ids
    assert len(timeline(sandbox, alice).json()["data"]) == 2
    assert timeline(sandbox, alice, exclude="likes").status_code == 400
