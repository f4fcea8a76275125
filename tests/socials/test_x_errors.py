"""How XClient turns X's answers and network failures into XError."""

from datetime import datetime, timezone

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from platforms.x.client import OAuth1Credentials, XClient, XError
from tests.conftest import X_API

API = X_API
CREDENTIALS = OAuth1Credentials("ck", "cs-SECRET", "at-SECRET", "ats-SECRET")
PROBLEMS = "https://api.twitter.com/2/problems"


pytestmark = pytest.mark.strict_x


def post_fails_with(x, **answer) -> XError:
    x.post(f"{API}/2/tweets", **answer)
    with pytest.raises(XError) as caught:
        XClient(CREDENTIALS, api_url=API).create_tweet("Hello")
    return caught.value


def problem(status, title, detail, type_="about:blank"):
    return {"status": status, "json": {"title": title, "detail": detail, "type": type_, "status": status}}


@pytest.mark.parametrize(
    "answer, kind, user_message",
    [
        (problem(401, "Unauthorized", "Unauthorized"), "auth", "Reconnect your X account"),
        (
            problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."),
            "duplicate",
            "X already has this exact text: change it",
        ),
        (
            problem(403, "Unsupported Authentication", "Authenticating with OAuth 2.0 Application-Only is forbidden"),
            "app_only",
            "This X connection can only read: reconnect the X account with permission to post",
        ),
        (
            problem(403, "Usage Cap Exceeded", "Usage cap exceeded: Monthly product cap", f"{PROBLEMS}/usage-capped"),
            "usage_capped",
            "X's monthly usage cap for SocialHub is spent: contact support",
        ),
        (
            problem(429, "UsageCapExceeded", "Usage cap exceeded: Monthly product cap", f"{PROBLEMS}/usage-capped"),
            "usage_capped",
            "X's monthly usage cap for SocialHub is spent: contact support",
        ),
        (
            problem(403, "Forbidden", "Your Tweet text is too long. For more information on how X determines text length see https://github.com/twitter/twitter-text."),
            "too_long",
            "Shorten the text. X says: Your Tweet text is too long",
        ),
        (
            problem(403, "Forbidden", "You are not permitted to perform this action."),
            "forbidden",
            "X refused this: You are not permitted to perform this action.",
        ),
        (
            problem(400, "Invalid Request", "One or more parameters to your request was invalid."),
            "bad_request",
            "X rejected the request: One or more parameters to your request was invalid.",
        ),
    ],
)
def test_permanent_http_errors_are_classified(x, answer, kind, user_message):
    error = post_fails_with(x, **answer)

    assert error.kind == kind
    assert error.permanent
    assert not error.outcome_unknown
    assert error.status == answer["status"]
    assert error.title == answer["json"]["title"]
    assert error.detail == answer["json"]["detail"]
    assert error.type == answer["json"]["type"]
    assert error.user_message == user_message


def test_a_rate_limited_post_is_retryable_after_the_reset_time(x):
    error = post_fails_with(
        x,
        status=429,
        json={"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
        headers={"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": "1767225600"},
    )

    assert error.kind == "rate_limited"
    assert not error.permanent
    assert error.reset_at == datetime(2026, 1, 1, 0, 0, tzinfo=timezone.utc)
    assert error.user_message == "Wait until 2026-01-01 00:00 UTC: X's rate limit"


def test_a_rate_limit_without_a_reset_header_still_says_to_wait(x):
    error = post_fails_with(x, status=429, body="")

    assert (error.kind, error.reset_at) == ("rate_limited", None)
    assert error.user_message == "Wait a few minutes: X's rate limit"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retryable(x, status):
    error = post_fails_with(x, status=status, json={"title": "Service Unavailable", "detail": "Service Unavailable"})

    assert (error.kind, error.permanent, error.status) == ("server", False, status)
    assert error.title == "Service Unavailable"


def test_a_server_error_page_that_is_not_json_keeps_a_readable_detail(x):
    error = post_fails_with(x, status=502, body="<html>Bad Gateway</html>", content_type="text/html")

    assert error.kind == "server"
    assert error.title == "Bad Gateway"
    assert "Bad Gateway" in error.detail


def test_a_success_without_json_on_a_post_may_have_posted(x):
    error = post_fails_with(x, status=201, body="<html>ok</html>", content_type="text/html")

    assert (error.kind, error.permanent, error.outcome_unknown) == ("server", False, True)


def test_a_connect_timeout_sent_nothing(x):
    error = post_fails_with(x, body=requests.ConnectTimeout("connect timed out"))

    assert (error.kind, error.permanent, error.status) == ("timeout", False, None)
    assert not error.outcome_unknown
    assert error.user_message == "X did not answer in time: try again in a few minutes"


def test_a_read_timeout_may_have_posted(x):
    error = post_fails_with(x, body=requests.ReadTimeout("read timed out"))

    assert (error.kind, error.permanent) == ("timeout", False)
    assert error.outcome_unknown
    assert error.user_message == "X did not answer, and may have done it anyway: check X before trying again"


def test_a_refused_connection_sent_nothing(x):
    refused = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    error = post_fails_with(x, body=requests.ConnectionError(MaxRetryError(None, "/2/tweets", refused)))

    assert (error.kind, error.permanent, error.outcome_unknown) == ("connection", False, False)
    assert error.user_message == "Could not reach X: try again in a few minutes"


def test_a_connection_dropped_after_sending_may_have_posted(x):
    dropped = ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))
    error = post_fails_with(x, body=requests.ConnectionError(dropped))

    assert (error.kind, error.permanent, error.outcome_unknown) == ("connection", False, True)


def test_errors_on_reads_use_the_same_classification(x):
    x.get(f"{API}/2/users/me", status=401, json={"title": "Unauthorized", "detail": "Unauthorized"})

    with pytest.raises(XError) as caught:
        XClient(CREDENTIALS, api_url=API).get_me()

    assert (caught.value.kind, caught.value.permanent) == ("auth", True)


def test_a_read_that_returns_only_errors_is_a_bad_request(x):
    x.get(
        f"{API}/2/users/9",
        json={"errors": [{"title": "Forbidden", "detail": "User has been suspended: [9].", "type": f"{PROBLEMS}/resource-not-found"}]},
    )

    with pytest.raises(XError) as caught:
        XClient(CREDENTIALS, api_url=API).get_user("9")

    assert caught.value.kind == "bad_request"
    assert caught.value.detail == "User has been suspended: [9]."


def test_error_messages_carry_x_details_but_no_secrets(x):
    error = post_fails_with(x, **problem(401, "Unauthorized", "Unauthorized"))

    assert str(error) == "X auth HTTP 401: Unauthorized: Unauthorized"
    assert "SECRET" not in repr(error)
