"""Fixtures for the X sandbox tests: a real sandbox per test, accounts made through the control API.

No Django here. Run from the repository root: python -m pytest tests/xsandbox
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
import requests
from requests_oauthlib import OAuth1

from xsandbox import Sandbox, start_sandbox


@pytest.fixture(autouse=True)
def insecure_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    # oauthlib refuses plain http unless told otherwise; the sandbox only speaks http.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def start() -> Iterator[Callable[..., Sandbox]]:
    """Starts sandboxes with custom settings; all are stopped after the test."""
    started: list[Sandbox] = []

    def _start(**settings: Any) -> Sandbox:
        sandbox = start_sandbox(**{"port": 0, "quiet": True, **settings})
        started.append(sandbox)
        return sandbox

    yield _start
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(start: Callable[..., Sandbox]) -> Sandbox:
    return start()


@pytest.fixture
def make_account() -> Callable[..., dict[str, Any]]:
    """Creates a sandbox user with tokens: make_account(sandbox, "alice_x", scopes=...)."""
    def _make(sandbox: Sandbox, username: str, **extra: Any) -> dict[str, Any]:
        answer = requests.post(f"{sandbox.url}/_sandbox/users", json={"username": username, **extra}, timeout=5)
        assert answer.status_code == 201, answer.text
        return answer.json()
    return _make


@pytest.fixture
def alice(sandbox: Sandbox, make_account: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_account(sandbox, "alice_x")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def oauth2_headers() -> Callable[[dict[str, Any]], dict[str, str]]:
    return lambda account: bearer(account["oauth2"]["access_token"])


@pytest.fixture
def oauth1_auth(sandbox: Sandbox) -> Callable[[dict[str, Any]], OAuth1]:
    """A requests auth signing as `account` with the sandbox's default consumer."""
    def _auth(account: dict[str, Any]) -> OAuth1:
        config = sandbox.state.config
        return OAuth1(config.consumer_key, config.consumer_secret,
                      account["oauth1"]["oauth_token"], account["oauth1"]["oauth_token_secret"])
    return _auth
