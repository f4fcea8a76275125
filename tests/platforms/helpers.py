"""Talking to the Mastodon and Bluesky sandbox's control API."""

import requests


def control(sb, path: str, **body) -> dict:
    answer = requests.post(f"{sb.url}/_sandbox/{path}", json=body, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def fault(sb, route: str, **fields) -> None:
    """Queue one forced answer for a route ("mastodon.statuses", "bluesky.createRecord", ...)."""
    control(sb, "faults", route=route, **fields)
