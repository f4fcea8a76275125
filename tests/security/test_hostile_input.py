"""Hostile values in ids, paths, headers and bodies get a clear 4xx, never a 500."""

import json

import pytest
from posts.models import Post

SUPERSCRIPT_TWO = "²"  # str.isdigit() is True, int() refuses it


@pytest.mark.parametrize(
    "url",
    [
        f"/posts/?status={SUPERSCRIPT_TWO}",
        f"/posts/status/?ids={SUPERSCRIPT_TWO}",
        f"/posts/new/?task={SUPERSCRIPT_TWO}",
        f"/posts/new/?from={SUPERSCRIPT_TWO}",
        f"/posts/calendar/?client={SUPERSCRIPT_TWO}",
        "/posts/?status=99999999999999999999999",
        "/posts/new/?task=99999999999999999999999",
    ],
)
def test_unicode_digits_in_page_queries_are_ignored(web, rita, task, url):
    assert web(rita).get(url).status_code == 200


def test_the_dashboard_still_filters_by_a_real_status(web, rita, make_post):
    make_post()
    page = web(rita).get(f"/posts/?status={Post.Status.PENDING}")
    assert page.status_code == 200 and b"Spring is here" in page.content
    assert b"Spring is here" not in web(rita).get(f"/posts/?status={Post.Status.FAILED}").content


def test_unicode_digits_in_the_template_preview_task(web, rita, task):
    answer = web(rita).post("/templates/preview", {"text": "Hi", "preview_task": SUPERSCRIPT_TWO})
    assert answer.status_code == 200


def test_unicode_digits_in_the_connection_test_account(api, alice, alice_account):
    answer = api(alice).get(f"/socials/test-connection/twitter?account={SUPERSCRIPT_TWO}")
    assert answer.status_code == 404
    assert answer.json()["success"] is False


@pytest.mark.parametrize(
    "path", ["/post/for-user/6/%00", "/api/posts/%00/retry", "/api/posts/1%002/retry"]
)
def test_a_nul_byte_in_a_path_is_a_400_envelope(api, rita, path):
    answer = api(rita).post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert answer.status_code == 400
    assert answer.json()["success"] is False


def test_a_nul_byte_in_the_idempotency_key_is_a_400(api, rita, task):
    answer = api(rita).post(
        f"/post/for-user/{task.user_id}/{task.pk}", {"content": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="a\x00b"
    )
    assert answer.status_code == 400


def test_a_nul_byte_in_a_query_is_a_400(api, sam):
    answer = api(sam).get("/api/users?role=%00")
    assert answer.status_code == 400
    assert answer.json()["message"] == "The request contains a NUL byte."


def test_a_huge_preview_is_refused_at_once(web, rita):
    answer = web(rita).post(
        "/posts/preview", "content=" + "a" * 9_000_000, content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 413


def test_huge_text_in_a_multipart_preview_is_refused(web, rita):
    answer = web(rita).post("/posts/preview", {"content": "a" * 200_000})  # multipart
    assert answer.status_code in (400, 413)


def test_a_huge_publish_body_is_a_413_envelope(api, alice, alice_account):
    body = json.dumps({"content": "a" * 200_000})
    answer = api(alice).post("/socials/publish/twitter", body, content_type="application/json")
    assert answer.status_code == 413
    assert answer.json()["success"] is False


def test_a_lone_surrogate_in_hashtags_is_a_400(api, alice, alice_account):
    body = '{"content": "hi", "hashtags": "\\ud800abc"}'
    answer = api(alice).post("/socials/publish/twitter", body, content_type="application/json")
    assert answer.status_code == 400
    assert "invalid Unicode" in answer.json()["message"]


def test_a_publish_with_no_body_is_a_400(api, alice, alice_account):
    answer = api(alice).post("/socials/publish/twitter")
    assert answer.status_code == 400
    assert answer.json()["success"] is False
