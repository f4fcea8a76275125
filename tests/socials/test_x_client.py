"""XClient calls: authentication, payloads, rate-limit headers, logging, secrecy."""

import json
import logging
import pickle
from datetime import datetime, timezone

import pytest
import requests

from platforms.x.client import (
    AppBearerCredentials,
    OAuth1Credentials,
    OAuth2Credentials,
    TokenSet,
    XClient,
    XError,
)
from socials.error_kinds import RateLimit
from tests.conftest import X_API

API = X_API
OAUTH1 = OAuth1Credentials("ck-public", "cs-SECRET", "at-SECRET", "ats-SECRET")
OAUTH2 = OAuth2Credentials("oauth2-SECRET")
APP = AppBearerCredentials("app-bearer-SECRET")
TWEET = {"data": {"id": "1850000000000000001", "text": "Hello"}}


pytestmark = pytest.mark.strict_x


def client(credentials=OAUTH2, **kwargs):
    return XClient(credentials, api_url=API, **kwargs)


def sent_json(call):
    return json.loads(call.request.body)


def header(call, name):
    value = call.request.headers[name]
    return value.decode() if isinstance(value, bytes) else value  # OAuth1Session signs into bytes


def test_oauth1_request_carries_a_signed_oauth_header(x):
    x.get(f"{API}/2/users/me", json={"data": {"id": "42", "username": "alice"}})

    me = client(OAUTH1).get_me()

    authorization = header(x.calls[0], "Authorization")
    assert me == {"id": "42", "username": "alice"}
    assert authorization.startswith("OAuth ")
    assert 'oauth_signature_method="HMAC-SHA1"' in authorization
    assert 'oauth_consumer_key="ck-public"' in authorization
    assert "oauth_signature=" in authorization


def test_oauth2_request_carries_the_user_bearer_token(x):
    x.get(f"{API}/2/users/me", json={"data": {"id": "42"}})

    client(OAUTH2).get_me()

    assert header(x.calls[0], "Authorization") == "Bearer oauth2-SECRET"


def test_app_bearer_reads_with_its_bearer_token(x):
    x.get(f"{API}/2/users/42", json={"data": {"id": "42"}})

    client(APP).get_user("42", user_fields="public_metrics")

    request = x.calls[0].request
    assert header(x.calls[0], "Authorization") == "Bearer app-bearer-SECRET"
    assert "user.fields=public_metrics" in request.url


def test_app_bearer_refuses_to_post_without_sending_anything(x):
    with pytest.raises(XError) as caught:
        client(APP).create_tweet("Hello")

    assert caught.value.kind == "app_only"
    assert caught.value.permanent
    assert not caught.value.outcome_unknown
    assert len(x.calls) == 0


def test_every_call_uses_the_configured_timeout_and_session_factory(x):
    x.get(f"{API}/2/users/me", json={"data": {"id": "42"}})
    x.post(f"{API}/2/tweets", json=TWEET, status=201)
    timeouts = []

    class RecordingSession(requests.Session):
        def send(self, request, **kwargs):
            timeouts.append(kwargs.get("timeout"))
            return super().send(request, **kwargs)

    xc = client(OAUTH2, timeout=(1.5, 7), session_factory=lambda credentials: RecordingSession())
    xc.get_me()
    xc.create_tweet("Hello")

    assert timeouts == [(1.5, 7), (1.5, 7)]


def test_create_tweet_sends_text_only_when_that_is_all(x):
    x.post(f"{API}/2/tweets", json=TWEET, status=201)

    assert client().create_tweet("Hello") == TWEET["data"]

    assert sent_json(x.calls[0]) == {"text": "Hello"}


def test_create_tweet_with_media_and_reply_sends_the_documented_shape(x):
    x.post(f"{API}/2/tweets", json=TWEET, status=201)

    client(OAUTH1).create_tweet("Part 2", media_ids=["111", "222"], reply_to="999")

    assert sent_json(x.calls[0]) == {
        "text": "Part 2",
        "media": {"media_ids": ["111", "222"]},
        "reply": {"in_reply_to_tweet_id": "999"},
    }
    assert header(x.calls[0], "Content-Type") == "application/json"


def test_create_tweet_with_only_media_sends_empty_text(x):
    # X's spec (TweetCreateRequest.text): "Required unless media is provided. Defaulted to an
    # empty string so it is always sent".
    x.post(f"{API}/2/tweets", json=TWEET, status=201)

    client().create_tweet("", media_ids=["111"])

    assert sent_json(x.calls[0]) == {"text": "", "media": {"media_ids": ["111"]}}


def test_get_tweets_asks_in_batches_of_one_hundred(x):
    ids = [str(n) for n in range(250)]
    for _ in range(3):
        x.get(f"{API}/2/tweets", json={"data": [{"id": "x"}]})

    tweets = client().get_tweets(ids)

    asked = [call.request.params["ids"].split(",") for call in x.calls]
    assert [len(batch) for batch in asked] == [100, 100, 50]
    assert sum(asked, []) == ids
    assert x.calls[0].request.params["tweet.fields"] == "public_metrics,created_at"
    assert len(tweets) == 3


def test_get_tweets_with_no_ids_sends_nothing(x):
    assert client().get_tweets([]) == []
    assert len(x.calls) == 0


def test_get_tweets_returns_nothing_for_tweets_that_are_all_gone(x):
    x.get(f"{API}/2/tweets", json={"errors": [{"title": "Not Found Error", "detail": "Could not find tweet"}]})

    assert client().get_tweets(["1"]) == []


def test_user_tweets_passes_since_id_and_fields(x):
    x.get(f"{API}/2/users/42/tweets", json={"data": [{"id": "7", "text": "hi"}], "meta": {}})

    tweets = client().user_tweets("42", max_results=10, since_id="5")

    assert tweets == [{"id": "7", "text": "hi"}]
    assert x.calls[0].request.params == {
        "max_results": "10",
        "since_id": "5",
        "tweet.fields": "created_at,public_metrics",
    }


def test_user_tweets_with_no_tweets_is_an_empty_list(x):
    x.get(f"{API}/2/users/42/tweets", json={"meta": {"result_count": 0}})

    assert client().user_tweets("42") == []


def test_delete_tweet_sends_a_delete(x):
    x.delete(f"{API}/2/tweets/123", json={"data": {"deleted": True}})

    assert client().delete_tweet("123") is None


def test_rate_limit_headers_are_parsed_from_the_last_answer(x):
    x.post(
        f"{API}/2/tweets",
        json=TWEET,
        status=201,
        headers={"x-rate-limit-limit": "100", "x-rate-limit-remaining": "99", "x-rate-limit-reset": "1767225600"},
    )
    x.get(f"{API}/2/users/me", json={"data": {"id": "42"}})
    xc = client()

    xc.create_tweet("Hello")
    assert xc.last_rate_limit == RateLimit(
        limit=100, remaining=99, reset_at=datetime(2026, 1, 1, tzinfo=timezone.utc)
    )

    xc.get_me()  # an answer without the headers
    assert xc.last_rate_limit is None


def test_rate_limit_headers_are_parsed_from_error_answers_too(x):
    x.get(f"{API}/2/users/me", status=503, headers={"x-rate-limit-remaining": "0"})
    xc = client()

    with pytest.raises(XError):
        xc.get_me()

    assert xc.last_rate_limit == RateLimit(limit=None, remaining=0, reset_at=None)


def test_one_debug_line_per_call_without_any_token(x, caplog):
    x.post(f"{API}/2/tweets", json=TWEET, status=201)
    x.get(f"{API}/2/users/me", json={"data": {"id": "42"}})
    caplog.set_level(logging.DEBUG)

    client(OAUTH2).create_tweet("Hello")
    client(OAUTH1).get_me()

    ours = [r.getMessage() for r in caplog.records if r.name == "platforms.x"]
    assert len(ours) == 2
    assert ours[0].startswith("POST /2/tweets -> 201 in ")
    assert ours[1].startswith("GET /2/users/me -> 200 in ")
    assert "SECRET" not in caplog.text  # the oauth libraries' own DEBUG lines are filtered


def test_credentials_and_tokens_hide_their_secrets():
    token_set = TokenSet("access-SECRET", "refresh-SECRET", datetime(2026, 1, 1, tzinfo=timezone.utc), "tweet.write")
    for thing in (OAUTH1, OAUTH2, APP, token_set, client(OAUTH1), client(APP)):
        assert "SECRET" not in repr(thing)
        assert "SECRET" not in str(thing)
    assert repr(OAUTH1) == "OAuth1Credentials(consumer_key=***, consumer_secret=***, token=***, token_secret=***)"


def test_credentials_are_frozen():
    with pytest.raises(AttributeError):
        OAUTH2.access_token = "other"


def test_errors_hide_secrets_and_survive_pickling(x):
    x.post(f"{API}/2/tweets", status=401, json={"title": "Unauthorized", "detail": "Unauthorized", "status": 401})

    with pytest.raises(XError) as caught:
        client(OAUTH1).create_tweet("Hello")

    error = caught.value
    for text in (repr(error), str(error), error.user_message, error.detail):
        assert "SECRET" not in text
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.kind, copy.status, copy.permanent, copy.user_message, str(copy)) == (
        "auth", 401, True, error.user_message, str(error)
    )
