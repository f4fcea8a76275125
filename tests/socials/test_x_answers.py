"""XClient fed X's answers in the shapes X really sends: the problem bodies and headers quoted in
X's docs (xdevplatform/docs) and recorded by users of the real API, not our sandbox's idea of them."""

import io
from datetime import datetime, timedelta, timezone

import pytest

from platforms.x.client import OAuth1Credentials, XClient, XError
from tests.conftest import X_API

API = X_API
CREDENTIALS = OAuth1Credentials("ck", "cs", "at", "ats")
PROBLEMS = "https://api.twitter.com/2/problems"


pytestmark = pytest.mark.strict_x


def client() -> XClient:
    return XClient(CREDENTIALS, api_url=API)


def post_fails_with(x, status, body, headers=None) -> XError:
    x.post(f"{API}/2/tweets", status=status, json=body, headers=headers or {})
    with pytest.raises(XError) as caught:
        client().create_tweet("Hello", reply_to="1")
    return caught.value


# --- 400 Invalid Request: the reason is in errors[].message -----------------------------------


def invalid_request(message, parameter):
    return {
        "errors": [{"parameters": {parameter: ["..."]}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": f"{PROBLEMS}/invalid-request",
    }


def test_a_too_long_text_shows_xs_reason_not_the_generic_detail(x):
    error = post_fails_with(x, 400, invalid_request("Your Tweet text is too long.", "text"))

    assert error.kind == "too_long"
    assert error.detail == "Your Tweet text is too long."
    assert error.user_message == "Shorten the text. X says: Your Tweet text is too long"


def test_invalid_media_ids_show_xs_reason(x):
    error = post_fails_with(x, 400, invalid_request("Your media IDs are invalid.", "media.media_ids"))

    assert error.kind == "bad_request"
    assert error.permanent
    assert error.user_message == "X rejected the request: Your media IDs are invalid."
    assert "One or more parameters" not in error.user_message


# --- Money: 402 credits, 429 usage cap ----------------------------------------------------------


def test_402_credits_depleted_is_its_own_kind_not_retried_and_asks_staff_for_credits(x):
    error = post_fails_with(x, 402, {
        "type": f"{PROBLEMS}/credits",
        "title": "CreditsDepleted",
        "detail": "Your enrolled account [2059529979700846592] does not have any credits to fulfill this request.",
    })

    assert error.kind == "credits_depleted"
    assert error.permanent
    assert not error.outcome_unknown
    assert "add credits to the X app" in error.user_message


def test_429_usage_cap_exceeded_is_the_usage_cap_even_without_its_type(x):
    error = post_fails_with(x, 429, {
        "account_id": 123, "product_name": "standard-basic", "title": "UsageCapExceeded",
        "period": "Monthly", "scope": "Product", "detail": "Usage cap exceeded: Monthly product cap",
    })

    assert error.kind == "usage_capped"
    assert error.permanent


# --- Replies only where summoned ---------------------------------------------------------------


def test_a_reply_refused_because_the_author_did_not_summon_the_account_says_so(x):
    error = post_fails_with(x, 403, {
        "title": "Forbidden", "status": 403, "type": "about:blank",
        "detail": "Reply to this conversation is not allowed because you have not been mentioned or otherwise "
                  "engaged by the author of the post you are replying to.",
    })

    assert error.kind == "reply_not_summoned"
    assert error.permanent
    assert "mentioned or quoted" in error.user_message


# --- 429 with X's 15-minute and 24-hour windows --------------------------------------------------


def at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)


def test_a_daily_cap_waits_for_the_latest_exhausted_24_hour_reset_not_the_15_minute_one(x):
    now = int(datetime.now(timezone.utc).timestamp())
    headers = {
        "x-rate-limit-limit": "100", "x-rate-limit-remaining": "97", "x-rate-limit-reset": str(now + 600),
        "x-user-limit-24hour-limit": "100", "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": str(now + 7200),
        "x-app-limit-24hour-limit": "10000", "x-app-limit-24hour-remaining": "0",
        "x-app-limit-24hour-reset": str(now + 36000),
    }
    error = post_fails_with(x, 429, {"title": "Too Many Requests", "detail": "Too Many Requests",
                                     "type": "about:blank", "status": 429}, headers)

    assert error.kind == "rate_limited"
    assert error.reset_at == at(now + 36000)
    assert error.user_message == f"Wait until {at(now + 36000):%Y-%m-%d %H:%M} UTC: X's 24-hour limit on posts is reached"


def test_a_daily_window_with_posts_left_does_not_make_anyone_wait_for_it(x):
    now = int(datetime.now(timezone.utc).timestamp())
    headers = {
        "x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(now + 600),
        "x-user-limit-24hour-limit": "100", "x-user-limit-24hour-remaining": "40",
        "x-user-limit-24hour-reset": str(now + 7200),
    }
    error = post_fails_with(x, 429, {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}, headers)

    assert error.reset_at == at(now + 600)
    assert error.user_message.endswith("X's rate limit")


# --- Media lifetime and failures ---------------------------------------------------------------

MEDIA_ID = "1880028106020515840"


def test_media_lifetime_comes_from_finalize_and_status_not_initialize(x):
    # The lifetimes of X's own example: 1,295,999 s at initialize, 86,400 s at finalize.
    x.post(f"{API}/2/media/upload/initialize", json={"data": {
        "id": MEDIA_ID, "media_key": f"13_{MEDIA_ID}", "expires_after_secs": 1295999}})
    x.post(f"{API}/2/media/upload/{MEDIA_ID}/append", json={})
    x.post(f"{API}/2/media/upload/{MEDIA_ID}/finalize", json={"data": {
        "id": MEDIA_ID, "media_key": f"13_{MEDIA_ID}", "size": 4, "expires_after_secs": 86400,
        "processing_info": {"state": "pending", "check_after_secs": 1}}})
    x.get(f"{API}/2/media/upload", json={"data": {
        "id": MEDIA_ID, "media_key": f"13_{MEDIA_ID}", "expires_after_secs": 3600,
        "processing_info": {"state": "succeeded", "progress_percent": 100}}})
    xc = client()
    before = datetime.now(timezone.utc)

    xc.upload_media(_bytes(b"data"), media_type="video/mp4", total_bytes=4, media_category="tweet_video",
                    poll=lambda s: None)

    # The last word (STATUS) wins; it is far from initialize's 15 days.
    assert before + timedelta(seconds=3590) < xc.last_media_expires_at < before + timedelta(seconds=3700)


def test_media_processing_that_fails_shows_xs_reason(x):
    x.post(f"{API}/2/media/upload/initialize", json={"data": {"id": MEDIA_ID, "expires_after_secs": 1295999}})
    x.post(f"{API}/2/media/upload/{MEDIA_ID}/append", json={})
    x.post(f"{API}/2/media/upload/{MEDIA_ID}/finalize", json={"data": {
        "id": MEDIA_ID, "expires_after_secs": 86400, "processing_info": {"state": "in_progress", "check_after_secs": 1}}})
    x.get(f"{API}/2/media/upload", json={"data": {"id": MEDIA_ID, "processing_info": {
        "state": "failed", "progress_percent": 40,
        "error": {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}}}})

    with pytest.raises(XError) as caught:
        client().upload_media(_bytes(b"data"), media_type="video/mp4", total_bytes=4,
                              media_category="tweet_video", poll=lambda s: None)

    assert caught.value.kind == "media"
    assert caught.value.permanent
    assert caught.value.user_message == "X rejected the media: Unsupported video format"


# --- Reading the timeline since a time ---------------------------------------------------------


def test_user_tweets_since_a_time_follows_next_token_for_at_most_the_pages_asked(x):
    url = f"{API}/2/users/42/tweets"
    x.get(url, json={"data": [{"id": "3", "text": "c"}], "meta": {"result_count": 1, "next_token": "p2"}})
    x.get(url, json={"data": [{"id": "2", "text": "b"}], "meta": {"result_count": 1, "next_token": "p3"}})

    tweets = client().user_tweets("42", start_time=datetime(2026, 11, 30, 14, 0, 5, 123, tzinfo=timezone.utc),
                                  tweet_fields="created_at,entities,note_tweet", pages=2)

    assert [t["id"] for t in tweets] == ["3", "2"]
    first, second = (c.request.params for c in x.calls)
    assert first == {"max_results": "100", "start_time": "2026-11-30T14:00:05Z",
                     "tweet.fields": "created_at,entities,note_tweet"}
    assert second == {**first, "pagination_token": "p2"}


def _bytes(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
