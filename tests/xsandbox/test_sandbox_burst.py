"""A burst of concurrent posts with a slow X: the delay must not serialise requests."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests

BURST = 200
DELAY_MS = 200


def test_200_concurrent_posts_with_200ms_delay_run_in_parallel(start, make_account, oauth2_headers):
    sandbox = start(tweet_delay_ms=DELAY_MS, tweet_rate_limit=1000)
    headers = oauth2_headers(make_account(sandbox, "alice_x"))

    def post(index: int) -> int:
        answer = requests.post(f"{sandbox.url}/2/tweets", json={"text": f"burst {index}"}, headers=headers, timeout=30)
        return answer.status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=BURST) as pool:
        codes = list(pool.map(post, range(BURST)))
    elapsed = time.monotonic() - started

    assert codes == [201] * BURST
    assert len(sandbox.state.tweets) == BURST
    assert elapsed < BURST * DELAY_MS / 1000 / 5  # serial would take 40 s; allow 8 s on a busy machine
