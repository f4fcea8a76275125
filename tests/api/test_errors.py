"""Every error, 400 to 500, is the seed's JSON envelope under the API's paths; never HTML or a trace."""

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from posts import api_list
from posts.serializers import PostSerializer
from socialhub import api as api_module


def assert_envelope(response, status_code):
    assert response.status_code == status_code
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], dict)
    return body


def test_no_credentials_is_401_with_a_bearer_challenge(api, db):
    response = api().get("/api/posts")
    body = assert_envelope(response, 401)
    assert body["message"] == "Authentication credentials were not provided."
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_bad_jwt_is_401_with_simplejwts_reason_in_details(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    body = assert_envelope(client.get("/api/posts"), 401)
    assert body["details"]["code"] == "token_not_valid"


def test_wrong_password_is_401(api, rita):
    response = api().post("/api/auth/token", {"username": "rita", "password": "nope"}, format="json")
    assert_envelope(response, 401)


def test_token_and_refresh_work_with_the_right_password(api, rita):
    tokens = api().post("/api/auth/token", {"username": "rita", "password": "pw-rita"}, format="json").json()
    refreshed = api().post("/api/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access']}")
    assert client.get("/api/users/me").json()["username"] == "rita"


def test_missing_fields_are_field_errors_in_details(api, rita, alice, task):
    body = assert_envelope(api(rita).post(f"/post/for-user/{alice.pk}/{task.pk}", {}, format="json"), 400)
    assert body["details"] == {"post_channels": ["This field is required."]}
    assert body["message"] == "This field is required."


def test_malformed_json_is_400(api, rita, alice, task):
    response = api(rita).post(f"/post/for-user/{alice.pk}/{task.pk}", "{nope", content_type="application/json")
    assert_envelope(response, 400)


def test_an_unsupported_content_type_is_415(api, rita, alice, task):
    response = api(rita).post(f"/post/for-user/{alice.pk}/{task.pk}", "<a/>", content_type="application/xml")
    assert_envelope(response, 415)


def test_a_method_the_endpoint_does_not_have_is_405(api, rita, alice, task):
    assert_envelope(api(rita).get(f"/post/for-user/{alice.pk}/{task.pk}"), 405)


def test_a_cursor_that_is_not_ours_is_404(api, rita):
    assert_envelope(api(rita).get("/api/posts?cursor=not-a-cursor"), 404)


def test_a_crash_inside_an_endpoint_is_a_500_envelope_without_a_trace(api, alice, make_post, monkeypatch):
    post = make_post()

    def crash(*args, **kwargs):
        raise RuntimeError("secret internals")

    # The list builds its JSON from rows (posts.api_list), one post through PostSerializer.
    monkeypatch.setattr(api_list, "represent", crash)
    monkeypatch.setattr(PostSerializer, "to_representation", crash)
    for path in ("/api/posts", f"/api/posts/{post.pk}"):
        response = api(alice).get(path)
        body = assert_envelope(response, 500)
        assert "secret" not in response.content.decode()
        assert body["message"] == "Internal server error."


UNKNOWN = ["/api/nothing-here", "/api/nothing/here/", "/post/1/nothing", "/post/", "/socials/publish/nothing",
           "/socials/nothing-here", "/socials/test-connection/"]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", UNKNOWN)
def test_unknown_paths_under_the_api_are_json_404s_with_debug_on_or_off(client, settings, db, path, debug):
    settings.DEBUG = debug
    body = assert_envelope(client.get(path), 404)
    assert body == {"success": False, "message": "Not found.", "details": {"path": path}}


@pytest.mark.parametrize("path, to", [
    ("/api/posts/", "/api/posts"),
    ("/api/users/me/?x=1", "/api/users/me?x=1"),
    ("/socials/test-connection/twitter/", "/socials/test-connection/twitter"),
    ("/api/schema", "/api/schema/"),
])
def test_a_wrong_trailing_slash_is_redirected_keeping_the_method(client, db, path, to):
    for method in ("get", "post", "patch"):
        response = getattr(client, method)(path)
        assert (response.status_code, response["Location"]) == (308, to)


def test_a_trailing_slash_redirect_still_answers(api, rita):
    response = api(rita).get("/api/posts/", follow=True)
    assert response.status_code == 200 and response.json()["results"] == []


def test_a_seed_review_with_a_trailing_slash_reaches_the_review(api, alice, make_post):
    post = make_post()
    response = api(alice).patch(f"/post/{post.pk}/review/", {"action": "approve", "version": 1}, format="json", follow=True)
    assert response.status_code == 200 and response.json()["status"] == 1


def test_unknown_pages_stay_html_for_browsers(client, settings, db):
    settings.DEBUG = False
    for path in ("/socials/accounts/nothing-here", "/posts/nothing-here"):
        response = client.get(path, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")


def test_django_level_server_errors_are_json_under_the_api_and_html_elsewhere():
    factory = RequestFactory()
    api_response = api_module.server_error(factory.get("/api/posts"))
    assert api_response.status_code == 500
    assert api_response["Content-Type"] == "application/json"
    page = api_module.server_error(factory.get("/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_a_session_write_without_csrf_token_to_an_unknown_api_path_is_a_403_envelope(rita):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(rita)
    body = assert_envelope(client.patch("/api/accounts/not-an-id", {}, content_type="application/json"), 403)
    assert "CSRF" in body["message"]
