"""Chunked media upload (v2 initialize/append/finalize/STATUS) and alt text."""

import io
import json
import re

import pytest

from platforms.x.client import OAuth2Credentials, XClient, XError
from tests.conftest import X_API

API = X_API
MEDIA_ID = "1880028106020515840"
MB = 1024 * 1024


pytestmark = pytest.mark.strict_x


def client():
    return XClient(OAuth2Credentials("oauth2-SECRET"), api_url=API)


def expect_initialize_and_appends(x):
    x.post(
        f"{API}/2/media/upload/initialize",
        json={"data": {"id": MEDIA_ID, "media_key": f"7_{MEDIA_ID}", "expires_after_secs": 86400}},
    )
    x.post(f"{API}/2/media/upload/{MEDIA_ID}/append", json={})


def finalize_answers(x, processing_info):
    data = {"id": MEDIA_ID, "media_key": f"7_{MEDIA_ID}"}
    if processing_info:
        data["processing_info"] = processing_info
    x.post(f"{API}/2/media/upload/{MEDIA_ID}/finalize", json={"data": data})


def status_answers(x, *states):
    for state in states:
        info = {"state": state, "check_after_secs": 2}
        if state == "failed":
            info["error"] = {"code": 1, "name": "InvalidMedia", "message": "Unsupported video codec"}
        x.get(f"{API}/2/media/upload", json={"data": {"id": MEDIA_ID, "processing_info": info}})


def multipart_part(body: bytes, name: str) -> bytes:
    """The raw content of one named multipart field."""
    match = re.search(rb'name="' + name.encode() + rb'"(?:; filename="[^"]*")?\r\n(?:[^\r\n]+\r\n)*\r\n(.*?)\r\n--', body, re.S)
    assert match, f"no {name} part"
    return match.group(1)


def upload(data: bytes, **kwargs):
    defaults = {"media_type": "video/mp4", "total_bytes": len(data), "media_category": "tweet_video", "chunk_size": MB}
    return client().upload_media(io.BytesIO(data), **{**defaults, **kwargs})


def test_a_two_and_a_half_megabyte_file_goes_up_in_three_ordered_chunks(x):
    data = bytes(range(256)) * (5 * MB // 2 // 256)
    expect_initialize_and_appends(x)
    finalize_answers(x, None)

    assert upload(data, poll=lambda seconds: None) == MEDIA_ID

    paths = [call.request.path_url for call in x.calls]
    assert paths == [
        "/2/media/upload/initialize",
        *[f"/2/media/upload/{MEDIA_ID}/append"] * 3,
        f"/2/media/upload/{MEDIA_ID}/finalize",
    ]
    assert json.loads(x.calls[0].request.body) == {
        "media_type": "video/mp4",
        "total_bytes": len(data),
        "media_category": "tweet_video",
    }
    appends = [call.request.body for call in x.calls[1:4]]
    assert [multipart_part(body, "segment_index") for body in appends] == [b"0", b"1", b"2"]
    chunks = [multipart_part(body, "media") for body in appends]
    assert [len(chunk) for chunk in chunks] == [MB, MB, MB // 2]
    assert b"".join(chunks) == data


def test_upload_polls_status_until_processing_succeeds(x):
    waits = []
    expect_initialize_and_appends(x)
    finalize_answers(x, {"state": "pending", "check_after_secs": 1})
    status_answers(x, "in_progress", "succeeded")

    assert upload(b"v" * 1000, poll=waits.append) == MEDIA_ID

    status_calls = [call for call in x.calls if call.request.method == "GET"]
    assert len(status_calls) == 2
    assert status_calls[0].request.params == {"command": "STATUS", "media_id": MEDIA_ID}
    assert waits == [1, 2]  # X's check_after_secs each time


def test_failed_processing_is_a_permanent_media_error_with_xs_message(x):
    expect_initialize_and_appends(x)
    finalize_answers(x, {"state": "pending", "check_after_secs": 1})
    status_answers(x, "failed")

    with pytest.raises(XError) as caught:
        upload(b"v" * 1000, poll=lambda seconds: None)

    assert (caught.value.kind, caught.value.permanent) == ("media", True)
    assert caught.value.detail == "Unsupported video codec"
    assert caught.value.user_message == "X rejected the media: Unsupported video codec"


def test_processing_longer_than_max_wait_is_a_retryable_media_error(x):
    expect_initialize_and_appends(x)
    finalize_answers(x, {"state": "pending", "check_after_secs": 2})
    status_answers(x, "in_progress", "in_progress")

    with pytest.raises(XError) as caught:
        upload(b"v" * 1000, poll=lambda seconds: None, max_wait=5)

    assert (caught.value.kind, caught.value.permanent) == ("media", False)


def test_media_rejected_at_initialize_is_a_permanent_media_error(x):
    x.post(
        f"{API}/2/media/upload/initialize",
        status=400,
        json={"title": "Invalid Request", "detail": "media_type image/bmp is not supported", "type": "about:blank"},
    )

    with pytest.raises(XError) as caught:
        upload(b"v", media_type="image/bmp", media_category="tweet_image")

    assert (caught.value.kind, caught.value.permanent) == ("media", True)
    assert caught.value.detail == "media_type image/bmp is not supported"


def test_an_expired_token_during_upload_is_still_an_auth_error(x):
    x.post(f"{API}/2/media/upload/initialize", status=401, json={"title": "Unauthorized", "detail": "Unauthorized"})

    with pytest.raises(XError) as caught:
        upload(b"v")

    assert caught.value.kind == "auth"


def test_a_file_shorter_than_total_bytes_is_refused_before_finalize(x):
    expect_initialize_and_appends(x)

    with pytest.raises(ValueError):
        upload(b"v" * 10, total_bytes=20)


def test_alt_text_is_sent_as_media_metadata(x):
    x.post(f"{API}/2/media/metadata", json={"data": {"associated_metadata": True}})

    client().set_alt_text(MEDIA_ID, "A cat on a keyboard")

    assert json.loads(x.calls[0].request.body) == {
        "id": MEDIA_ID,
        "metadata": {"alt_text": {"text": "A cat on a keyboard"}},
    }
