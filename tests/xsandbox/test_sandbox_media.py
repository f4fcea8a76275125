"""Media upload v2: chunked video with STATUS polling, one-shot images, alt text, attaching to tweets."""
from __future__ import annotations

import hashlib

import requests

CHUNK = 64 * 1024


def video_bytes(size: int = 200_000) -> bytes:
    # Every byte value, CRLFs and things that look like multipart delimiters: must all survive.
    pattern = bytes(range(256)) + b"\r\n--\r\n\r\n" + b"\x00" * 7
    return (pattern * (size // len(pattern) + 1))[:size]


def upload_video(sandbox, headers, data: bytes) -> str:
    init = requests.post(f"{sandbox.url}/2/media/upload/initialize", headers=headers, timeout=5, json={
        "media_type": "video/mp4", "total_bytes": len(data), "media_category": "tweet_video"})
    assert init.status_code == 200, init.text
    media_id = init.json()["data"]["id"]
    assert init.json()["data"]["media_key"] == f"7_{media_id}"
    for index, offset in enumerate(range(0, len(data), CHUNK)):
        append = requests.post(f"{sandbox.url}/2/media/upload/{media_id}/append", headers=headers, timeout=5,
                               data={"segment_index": str(index)},
                               files={"media": ("blob", data[offset:offset + CHUNK], "application/octet-stream")})
        assert append.status_code == 200, append.text
    return media_id


def status(sandbox, headers, media_id: str) -> dict:
    answer = requests.get(f"{sandbox.url}/2/media/upload", headers=headers, timeout=5,
                          params={"command": "STATUS", "media_id": media_id})
    return answer.json()["data"]["processing_info"]


def test_chunked_video_upload_with_status_polling_and_alt_text(sandbox, alice, oauth2_headers, oauth1_auth):
    headers = oauth2_headers(alice)
    data = video_bytes()
    media_id = upload_video(sandbox, headers, data)

    final = requests.post(f"{sandbox.url}/2/media/upload/{media_id}/finalize", headers=headers, timeout=5).json()
    assert final["data"]["size"] == len(data)
    assert final["data"]["processing_info"] == {"state": "pending", "check_after_secs": 1}
    not_ready = requests.post(f"{sandbox.url}/2/tweets", headers=headers, timeout=5,
                              json={"text": "too soon", "media": {"media_ids": [media_id]}})
    assert not_ready.status_code == 400

    assert status(sandbox, headers, media_id) == {"state": "in_progress", "check_after_secs": 1, "progress_percent": 50}
    assert status(sandbox, headers, media_id) == {"state": "succeeded", "progress_percent": 100}
    alt = requests.post(f"{sandbox.url}/2/media/metadata", auth=oauth1_auth(alice), timeout=5,
                        json={"id": media_id, "metadata": {"alt_text": {"text": "A cat on a keyboard"}}})
    assert alt.status_code == 200, alt.text
    posted = requests.post(f"{sandbox.url}/2/tweets", headers=headers, timeout=5,
                           json={"text": "watch this", "media": {"media_ids": [media_id]}})

    assert posted.status_code == 201
    record = sandbox.state.media[media_id]
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert (record.total_bytes, record.media_type, record.alt_text) == (len(data), "video/mp4", "A cat on a keyboard")
    assert sandbox.state.tweets[posted.json()["data"]["id"]].media_ids == [media_id]


def test_segments_out_of_order_are_refused(sandbox, alice, oauth2_headers):
    headers = oauth2_headers(alice)
    media_id = requests.post(f"{sandbox.url}/2/media/upload/initialize", headers=headers, timeout=5, json={
        "media_type": "video/mp4", "total_bytes": 10, "media_category": "tweet_video"}).json()["data"]["id"]
    skipped = requests.post(f"{sandbox.url}/2/media/upload/{media_id}/append", headers=headers, timeout=5,
                            data={"segment_index": "1"}, files={"media": ("blob", b"12345")})
    assert skipped.status_code == 400


def test_finalize_with_missing_bytes_is_refused(sandbox, alice, oauth2_headers):
    headers = oauth2_headers(alice)
    data = video_bytes(1000)
    media_id = requests.post(f"{sandbox.url}/2/media/upload/initialize", headers=headers, timeout=5, json={
        "media_type": "video/mp4", "total_bytes": len(data) + 1, "media_category": "tweet_video"}).json()["data"]["id"]
    requests.post(f"{sandbox.url}/2/media/upload/{media_id}/append", headers=headers, timeout=5,
                  data={"segment_index": "0"}, files={"media": ("blob", data)})
    final = requests.post(f"{sandbox.url}/2/media/upload/{media_id}/finalize", headers=headers, timeout=5)
    assert final.status_code == 400


def test_one_shot_image_upload_can_be_attached_four_times(sandbox, alice, oauth2_headers):
    headers = oauth2_headers(alice)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    ids = []
    for _ in range(4):
        answer = requests.post(f"{sandbox.url}/2/media/upload", headers=headers, timeout=5,
                               data={"media_category": "tweet_image"}, files={"media": ("cat.png", png)})
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["size"] == len(png)
        ids.append(answer.json()["data"]["id"])
    assert sandbox.state.media[ids[0]].media_type == "image/png"
    posted = requests.post(f"{sandbox.url}/2/tweets", headers=headers, timeout=5,
                           json={"text": "four cats", "media": {"media_ids": ids}})
    assert posted.status_code == 201


def test_alt_text_over_1000_characters_is_refused(sandbox, alice, oauth2_headers):
    headers = oauth2_headers(alice)
    media_id = requests.post(f"{sandbox.url}/2/media/upload", headers=headers, timeout=5,
                             files={"media": ("a.gif", b"GIF89a" + b"\x00" * 20)}).json()["data"]["id"]
    answer = requests.post(f"{sandbox.url}/2/media/metadata", headers=headers, timeout=5,
                           json={"id": media_id, "metadata": {"alt_text": {"text": "x" * 1001}}})
    assert answer.status_code == 400


def test_another_users_media_cannot_be_attached(sandbox, alice, make_account, oauth2_headers):
    media_id = requests.post(f"{sandbox.url}/2/media/upload", headers=oauth2_headers(alice), timeout=5,
                             files={"media": ("a.gif", b"GIF89a" + b"\x00" * 20)}).json()["data"]["id"]
    bob = make_account(sandbox, "bob")
    answer = requests.post(f"{sandbox.url}/2/tweets", headers=oauth2_headers(bob), timeout=5,
                           json={"text": "not mine", "media": {"media_ids": [media_id]}})
    assert answer.status_code == 400


def test_media_needs_the_media_write_scope(sandbox, make_account, oauth2_headers):
    no_media = make_account(sandbox, "carol", scopes="tweet.read tweet.write users.read")
    answer = requests.post(f"{sandbox.url}/2/media/upload", headers=oauth2_headers(no_media), timeout=5,
                           files={"media": ("a.gif", b"GIF89a")})
    assert answer.status_code == 403


def test_initialize_gives_the_session_lifetime_and_finalize_and_status_the_shorter_media_lifetime(
        sandbox, alice, oauth2_headers):
    headers = oauth2_headers(alice)
    init = requests.post(f"{sandbox.url}/2/media/upload/initialize", headers=headers, timeout=5, json={
        "media_type": "video/mp4", "total_bytes": 10, "media_category": "tweet_video"}).json()["data"]
    requests.post(f"{sandbox.url}/2/media/upload/{init['id']}/append", headers=headers, timeout=5,
                  data={"segment_index": "0"}, files={"media": ("blob", b"0123456789")})

    final = requests.post(f"{sandbox.url}/2/media/upload/{init['id']}/finalize", headers=headers, timeout=5).json()
    later = requests.get(f"{sandbox.url}/2/media/upload", headers=headers, timeout=5,
                         params={"command": "STATUS", "media_id": init["id"]}).json()

    assert init["expires_after_secs"] == 1295999
    assert final["data"]["expires_after_secs"] == 86400
    assert 86390 <= later["data"]["expires_after_secs"] <= 86400


def test_media_expires_by_the_finalize_lifetime(sandbox, alice, oauth2_headers):
    headers = oauth2_headers(alice)
    image = b"\x89PNG\r\n\x1a\n" + b"\x01" * 50
    media_id = requests.post(f"{sandbox.url}/2/media/upload", headers=headers, timeout=5,
                             files={"media": ("a.png", image, "image/png")}).json()["data"]["id"]
    sandbox.state.media[media_id].expires_at -= 86400  # a day later

    answer = requests.post(f"{sandbox.url}/2/tweets", headers=headers, timeout=5,
                           json={"text": "late", "media": {"media_ids": [media_id]}})

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"] == "Your media IDs are invalid."


def test_the_processing_fault_ends_uploads_failed_with_xs_error(sandbox, alice, oauth2_headers):
    headers = oauth2_headers(alice)
    requests.post(f"{sandbox.url}/_sandbox/faults", json={"media_processing_fails": True}, timeout=5)
    data = video_bytes(1000)
    media_id = upload_video(sandbox, headers, data)
    final = requests.post(f"{sandbox.url}/2/media/upload/{media_id}/finalize", headers=headers, timeout=5).json()
    assert final["data"]["processing_info"]["state"] == "pending"

    states = [status(sandbox, headers, media_id) for _ in range(3)]

    assert states[0]["state"] == "in_progress"
    assert states[1] == states[2] == {"state": "failed", "progress_percent": 50,
                                      "error": {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}}
    refused = requests.post(f"{sandbox.url}/2/tweets", headers=headers, timeout=5,
                            json={"text": "broken", "media": {"media_ids": [media_id]}})
    assert refused.status_code == 400


def test_the_processing_fault_fails_one_shot_images_too(sandbox, alice, oauth2_headers):
    requests.post(f"{sandbox.url}/_sandbox/faults", json={"media_processing_fails": True}, timeout=5)
    answer = requests.post(f"{sandbox.url}/2/media/upload", headers=oauth2_headers(alice), timeout=5,
                           files={"media": ("a.png", b"\x89PNG\r\n\x1a\n" + b"\x02" * 20, "image/png")})
    assert answer.json()["data"]["processing_info"]["state"] == "failed"
    assert answer.json()["data"]["processing_info"]["error"]["name"] == "InvalidMedia"
