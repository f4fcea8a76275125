"""Uploaded files are stored under names the server makes, served by a permission-checked view
(or a signed, expiring link) as the type checked at upload, and never as HTML, script or SVG."""

import json
import time

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from content_templates import services as template_services
from posts.media import public_url, signed_url
from posts.models import PostMedia
from tests.conftest import PNG_BYTES, upload

HOSTILE = PNG_BYTES + b"<script>fetch('/socials/publish/twitter',{method:'POST'})</script>"
RENDERABLE = ("text/html", "application/xhtml+xml", "javascript", "image/svg+xml", "text/xml")


def page_client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def hostile_post_via_api(rita, alice, task, alice_account, name: str) -> PostMedia:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(rita).access_token}")
    response = api.post(
        f"/post/for-user/{alice.pk}/{task.pk}",
        {"content": "Look", "post_channels": json.dumps([{"channel_id": str(alice_account.pk)}]),
         "media": [upload(name, HOSTILE, "text/html")]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    media = PostMedia.objects.get(post_id=response.json()["id"])
    assert response.json()["media"][0]["url"] == f"http://testserver{media.url}"
    return media


def assert_served_as_png(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert not any(kind in response["Content-Type"] for kind in RENDERABLE)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline") and response["Content-Disposition"].endswith('.png"')
    assert b"".join(response.streaming_content) == HOSTILE


@pytest.mark.parametrize("name", ["look.html", "look.htm", "look.xhtml", "look.js", "look.svg", "look"])
def test_no_uploaded_post_file_is_ever_served_as_html_script_or_svg(rita, alice, task, alice_account, name):
    media = hostile_post_via_api(rita, alice, task, alice_account, name)
    assert media.file.name.endswith(".png") and "look" not in media.file.name
    assert media.file.url == media.url == f"/media/post/{media.pk}"
    assert_served_as_png(page_client(alice).get(media.url))


@pytest.mark.parametrize("name", ["look.html", "look.svg", "look.js"])
def test_no_uploaded_template_file_is_ever_served_as_html_script_or_svg(rita, name):
    template = template_services.create_template(actor=rita, name="t", media_files=[upload(name, HOSTILE)])
    media = template.media.get()
    assert media.file.name.startswith("templates/") and media.file.name.endswith(".png")
    assert media.url == f"/media/template/{media.pk}"
    assert_served_as_png(page_client(rita).get(media.url))


def test_the_old_storage_paths_are_not_served(rita, alice, task, alice_account, settings):
    media = hostile_post_via_api(rita, alice, task, alice_account, "look.html")
    assert page_client(alice).get(f"/{settings.MEDIA_URL}{media.file.name}").status_code == 404


@pytest.mark.parametrize("debug", [True, False])
def test_post_media_are_served_only_to_people_who_may_see_the_post(
    make_post, png, alice, bob, rita, rex, sam, mallory, bob_task, settings, debug
):
    settings.DEBUG = debug
    media = make_post(media_files=[png]).media.get()
    for person in (alice, rita, sam):
        assert page_client(person).get(media.url).status_code == 200, person
    for person in (bob, rex, mallory, None):
        assert page_client(person).get(media.url).status_code == 404, person


def test_a_later_thread_parts_media_are_served_like_the_posts(make_post, png, alice, rex):
    post = make_post(content="", hashtags=[], parts=[{"content": "one"}, {"content": "two", "media_files": [png]}])
    media = PostMedia.objects.get(part__post=post)
    assert page_client(alice).get(media.url).status_code == 200
    assert page_client(rex).get(media.url).status_code == 404


def test_template_media_are_served_only_to_resellers_who_may_use_the_template(rita, rex, sam, alice, png):
    media = template_services.create_template(actor=rita, name="t", media_files=[png]).media.get()
    assert page_client(rita).get(media.url).status_code == 200
    assert page_client(sam).get(media.url).status_code == 200
    for person in (rex, alice, None):
        assert page_client(person).get(media.url).status_code == 404


def test_a_signed_link_serves_the_file_without_login_until_it_expires(make_post, png, settings):
    settings.DEBUG = False
    media = make_post(media_files=[png]).media.get()
    link = signed_url(media, expires_in=60)
    assert link.startswith(media.url + "?")
    response = page_client().get(link)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"

    expired = signed_url(media, expires_in=-1)
    assert page_client().get(expired).status_code == 403


def test_a_signed_link_cannot_be_altered_or_moved_to_another_file(make_post, png):
    first, second = make_post(media_files=[png]).media.get(), make_post(media_files=[png]).media.get()
    query = signed_url(first).split("?", 1)[1]
    assert page_client().get(f"{second.url}?{query}").status_code == 403
    assert page_client().get(f"/media/template/{first.pk}?{query}").status_code == 403
    later = int(time.time()) + 10**6
    signature = query.split("signature=")[1]
    assert page_client().get(f"{first.url}?expires={later}&signature={signature}").status_code == 403
    # A NUL byte is refused before any view reads it (socialhub/middleware.py).
    assert page_client().get(f"{first.url}?expires=%00&signature=x").status_code == 400


def test_a_row_of_an_unknown_type_is_only_ever_downloaded(make_post, png, alice):
    media = make_post(media_files=[png]).media.get()
    PostMedia.objects.filter(pk=media.pk).update(mime_type="text/html")
    response = page_client(alice).get(media.url)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_pages_link_media_through_the_checked_view(make_post, png, alice):
    post = make_post(media_files=[png])
    media = post.media.get()
    html = page_client(alice).get(f"/posts/{post.pk}/").content.decode()
    assert f'src="{media.url}"' in html
    assert media.file.name not in html


def test_the_public_url_is_absolute_for_platforms_that_fetch_files(make_post, png, settings):
    settings.SITE_URL = "https://hub.example.com"
    media = make_post(media_files=[png]).media.get()
    url = public_url(media, expires_in=300)
    assert url.startswith(f"https://hub.example.com/media/post/{media.pk}?expires=")
    assert page_client().get(url.removeprefix("https://hub.example.com")).status_code == 200


def test_a_video_is_served_in_ranges_for_playing_and_seeking(make_post, alice):
    from tests.conftest import MP4_BYTES

    media = make_post(media_files=[upload("clip.mp4", MP4_BYTES)]).media.get()
    client = page_client(alice)
    whole = client.get(media.url)
    assert whole["Accept-Ranges"] == "bytes" and b"".join(whole.streaming_content) == MP4_BYTES

    part = client.get(media.url, HTTP_RANGE="bytes=4-11")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 4-11/{len(MP4_BYTES)}"
    assert part["Content-Type"] == "video/mp4" and part["X-Content-Type-Options"] == "nosniff"
    assert b"".join(part.streaming_content) == MP4_BYTES[4:12] == b"ftypmp42"

    tail = client.get(media.url, HTTP_RANGE="bytes=-8")
    assert b"".join(tail.streaming_content) == MP4_BYTES[-8:]
    rest = client.get(media.url, HTTP_RANGE=f"bytes={len(MP4_BYTES) - 2}-")
    assert b"".join(rest.streaming_content) == MP4_BYTES[-2:]

    beyond = client.get(media.url, HTTP_RANGE=f"bytes={len(MP4_BYTES)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(MP4_BYTES)}"
    # Not one plain byte range (several, another unit, non-ASCII digits): the whole file.
    for header in ("bytes=0-1,4-5", "items=0-1", "bytes=²-3"):
        assert client.get(media.url, HTTP_RANGE=header).status_code == 200, header


def test_ranges_are_not_a_way_around_the_permission_check(make_post, rex):
    from tests.conftest import MP4_BYTES

    media = make_post(media_files=[upload("clip.mp4", MP4_BYTES)]).media.get()
    assert page_client(rex).get(media.url, HTTP_RANGE="bytes=0-3").status_code == 404
