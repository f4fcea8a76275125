"""OAuth 2.0 token refresh and revocation helpers."""

import base64
import logging
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs

import pytest
import requests

from platforms.x.client import XError, refresh_oauth2_token, revoke_oauth2_token

TOKEN_URL = "https://api.x.com/2/oauth2/token"
REVOKE_URL = "https://api.x.com/2/oauth2/revoke"


pytestmark = pytest.mark.strict_x


def form(call):
    return {key: values[0] for key, values in parse_qs(call.request.body).items()}


def refresh(**kwargs):
    defaults = {
        "refresh_token": "refresh-SECRET",
        "client_id": "client-id",
        "client_secret": "client-SECRET",
        "token_url": TOKEN_URL,
    }
    return refresh_oauth2_token(**{**defaults, **kwargs})


def refresh_fails_with(x, **answer) -> XError:
    x.post(TOKEN_URL, **answer)
    with pytest.raises(XError) as caught:
        refresh()
    return caught.value


def test_a_refresh_returns_the_new_pair_and_when_it_expires(x):
    x.post(
        TOKEN_URL,
        json={
            "token_type": "bearer",
            "expires_in": 7200,
            "access_token": "new-access-SECRET",
            "scope": "tweet.read tweet.write users.read offline.access media.write",
            "refresh_token": "new-refresh-SECRET",
        },
    )
    before = datetime.now(timezone.utc)

    tokens = refresh()

    assert tokens.access_token == "new-access-SECRET"
    assert tokens.refresh_token == "new-refresh-SECRET"
    assert tokens.scope == "tweet.read tweet.write users.read offline.access media.write"
    assert before + timedelta(seconds=7200) <= tokens.expires_at <= datetime.now(timezone.utc) + timedelta(seconds=7200)
    assert form(x.calls[0]) == {"grant_type": "refresh_token", "refresh_token": "refresh-SECRET"}
    basic = base64.b64encode(b"client-id:client-SECRET").decode()
    assert x.calls[0].request.headers["Authorization"] == f"Basic {basic}"


def test_a_public_client_names_itself_in_the_body_instead_of_basic_auth(x):
    x.post(TOKEN_URL, json={"access_token": "a", "refresh_token": "r", "expires_in": 7200, "scope": "s"})

    refresh(client_secret=None)

    assert form(x.calls[0])["client_id"] == "client-id"
    assert "Authorization" not in x.calls[0].request.headers


def test_a_spent_refresh_token_is_refresh_invalid_and_permanent(x):
    error = refresh_fails_with(
        x,
        status=400,
        json={"error": "invalid_request", "error_description": "Value passed for the token was invalid."},
    )

    assert (error.kind, error.permanent, error.status) == ("refresh_invalid", True, 400)
    assert error.title == "invalid_request"
    assert error.detail == "Value passed for the token was invalid."
    assert error.user_message == "Reconnect your X account"


def test_an_invalid_grant_is_refresh_invalid_too(x):
    error = refresh_fails_with(x, status=400, json={"error": "invalid_grant", "error_description": "expired"})

    assert error.kind == "refresh_invalid"


def test_a_rejected_client_secret_does_not_look_like_a_dead_user_token(x):
    error = refresh_fails_with(x, status=401, json={"error": "unauthorized_client", "error_description": "Missing valid authorization header"})

    assert error.kind not in ("auth", "refresh_invalid")
    assert error.permanent


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_during_refresh_is_retryable(x, status):
    error = refresh_fails_with(x, status=status, body="Service Unavailable")

    assert (error.kind, error.permanent) == ("server", False)


def test_a_refresh_that_timed_out_may_have_spent_the_token(x):
    error = refresh_fails_with(x, body=requests.ReadTimeout("read timed out"))

    assert (error.kind, error.permanent, error.outcome_unknown) == ("timeout", False, True)


def test_refresh_logs_one_line_without_tokens(x, caplog):
    x.post(TOKEN_URL, json={"access_token": "new-access-SECRET", "refresh_token": "new-refresh-SECRET", "expires_in": 7200})
    caplog.set_level(logging.DEBUG)

    refresh()

    assert [r.getMessage().split(" in ")[0] for r in caplog.records if r.name == "platforms.x"] == [
        "POST /2/oauth2/token -> 200"
    ]
    assert "SECRET" not in caplog.text


def test_revoke_posts_the_token_with_its_type(x):
    x.post(REVOKE_URL, json={"revoked": True})

    revoke_oauth2_token(token="access-SECRET", client_id="client-id", client_secret="client-SECRET", revoke_url=REVOKE_URL)

    assert form(x.calls[0]) == {"token": "access-SECRET", "token_type_hint": "access_token"}
    assert x.calls[0].request.headers["Authorization"].startswith("Basic ")


def test_a_failed_revoke_raises_a_retryable_error_on_5xx(x):
    x.post(REVOKE_URL, status=503)

    with pytest.raises(XError) as caught:
        revoke_oauth2_token(
            token="refresh-SECRET",
            client_id="client-id",
            client_secret=None,
            revoke_url=REVOKE_URL,
            token_type_hint="refresh_token",
        )

    assert (caught.value.kind, caught.value.permanent) == ("server", False)
