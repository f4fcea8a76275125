"""Every page and API route in the URLconf, with hostile values, as each kind of person: no 500.

The routes come from the URLconf itself, so a new view is covered the day it is added. Path
parameters get Unicode digits, NUL bytes, lone surrogates, numbers too large for the database and
real ids; queries and bodies get the same plus dates out of range, empty and malformed bodies.
Nothing reaches the network: X answers every call with a connection error.
"""

import itertools
import json
import re
import time

import pytest
import responses
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from content_templates.models import ContentTemplate
from tests.api.conftest import jwt_for
from tests.conftest import x_app_settings

# Unicode digit, lone surrogate, > bigint. (A NUL byte is refused before routing: test_hostile_input.py.)
HOSTILE_TEXT = ["²", "%ED%A0%80", "9" * 25]
HOSTILE_INT = ["0", "9" * 25]
# Routes not walked: logging out ends the walk's session; media is served by its own tested view.
SKIP = re.compile(r"^(accounts/logout/|media/|\^media/)")
HOSTILE_QUERY = (
    "?status=²&ids=²,%ED%A0%80,99999999999999999999&task=²&from=²&client=²&page=²&page_size=99999999999999999999"
    "&role=²&date=9999-12-31&view=week&account=²&template=²&q=%ED%A0%80&o=²&p=²&process=²&next=//evil.example"
)
HOSTILE_FIELDS = {
    "content": "x", "hashtags": "\ud800abc", "task": "²", "user": "²", "userId": "²", "taskId": "²",
    "post_channels": ["²"], "accountId": "99999999999999999999", "account": "²", "schedule_at": "9999-12-31T23:59:59Z",
    "when": "schedule", "date": "0001-01-01", "status": "²", "action": "²", "version": "²", "ids": ["²"],
    "preview_task": "²", "from_template": "²", "template_media": ["²"], "text": "\ud800", "name": "\ud800",
    "role": "²", "time_zone": "Mars/Olympus", "remove_media": ["²"], "parts": [{"content": "\ud800", "id": "²"}],
    "part-2-content": "x", "part-2-id": "²", "url": "http://[::127.0.0.1]/", "secret": "\ud800",
    "token_type": "oauth2_user", "oauth2_client_secret": "€", "username": "\ud800", "password": "x",
    "refresh": "\ud800", "login": "\ud800", "_selected_action": ["²"],
}


def _routes(patterns=None, prefix=""):
    """(route text, {param: converter name}) for every URL pattern; regex groups count as str."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        text = str(pattern.pattern)
        if isinstance(pattern.pattern, RoutePattern):
            text = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "{%s:%s}" % (m[2], m[1] or "str"), text)
        else:
            text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: "{%s:str}" % m[1], text).strip("^$")
            text = text.replace("\\", "")
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + text)
        elif isinstance(pattern, URLPattern):
            yield prefix + text


def _fill(route: str, real: dict[str, str]) -> list[str]:
    """Concrete paths for a route: each parameter hostile in turn, or a real id of the right kind."""
    params = re.findall(r"\{(\w+):(\w+)\}", route)
    if not params:
        return ["/" + route]
    paths = []
    real_id = next((value for key, value in real.items() if key in route), "1")
    for name, converter in params:
        values = HOSTILE_INT if converter == "int" else HOSTILE_TEXT
        for value in [*values, real_id]:
            path = route
            for other, other_conv in params:
                path = path.replace("{%s:%s}" % (other, other_conv), value if other == name else real_id)
            paths.append("/" + path)
    return sorted(set(paths))


def _form_value(value):
    """A JSON field as a form sends it: lone surrogates cannot be sent, NUL bytes can."""
    if isinstance(value, list):
        return [_form_value(item) for item in value]
    if isinstance(value, dict):
        return json.dumps(value)
    return value.replace("\ud800", "\x00")


def _bodies(api: bool):
    """Bodies for a POST (or PATCH): none, the hostile fields as a form, and for the API as JSON
    and as JSON cut short. Oversized bodies are refused before routing (test_hostile_input.py)."""
    yield {}
    yield {"data": {name: _form_value(value) for name, value in HOSTILE_FIELDS.items()}}
    if api:
        yield {"data": json.dumps(HOSTILE_FIELDS), "content_type": "application/json"}
        yield {"data": '{"content": "\\ud800', "content_type": "application/json"}


def _requests(path: str, api: bool, real_ids: set[str]):
    """(method, url, body) to send to one concrete path."""
    yield "GET", path + HOSTILE_QUERY, {}
    if path.startswith("/admin/"):  # Django's own views: one hostile form is enough
        yield "POST", path, {"data": {name: _form_value(value) for name, value in HOSTILE_FIELDS.items()}}
        return
    for body in _bodies(api):
        yield "POST", path, body
    if api:
        yield "PATCH", path, {}
        yield "PATCH", path, {"data": json.dumps(HOSTILE_FIELDS), "content_type": "application/json"}
        if path.rsplit("/", 1)[-1] not in real_ids:  # keep the real objects for the other requests
            yield "DELETE", path, {}


def _is_api(path: str) -> bool:
    return path.startswith(("/api/", "/post/", "/socials/publish/", "/socials/test-connection/"))


@pytest.fixture
def world(task, bob_task, alice_account, bob_account, make_post, rita, sam):
    post = make_post()
    template = ContentTemplate.objects.create(owner=rita, name="Launch", text="Hello {client_name}")
    return {
        "posts": str(post.pk), "post/": str(post.pk), "templates": str(template.pk), "template": str(template.pk),
        "accounts": str(alice_account.pk), "users": str(task.user_id), "tasks": str(task.pk), "for-user": str(task.pk),
    }


@pytest.fixture
def offline():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.mark.parametrize("who", ["sam", "rita", "alice", "anonymous"])
def test_no_route_answers_500_to_hostile_input(who, world, offline, request, settings):
    x_app_settings(settings, api_url="https://api.x.test", authorize_url="https://x.test/i/oauth2/authorize")
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {jwt_for(user)}"} if user is not None else {}
    failures, sent, started = [], 0, time.monotonic()
    keys = itertools.count()
    real_ids = set(world.values())
    for route in _routes():
        if SKIP.match(route) or (route.startswith("admin/") and who != "sam"):
            continue
        for path in _fill(route, world):
            api = _is_api(path)
            headers = bearer if api else {}
            for method, url, body in _requests(path, api, real_ids):
                extra = {**headers, "HTTP_IDEMPOTENCY_KEY": f"walk-{next(keys)}"} if method == "POST" and api else headers
                response = getattr(client, method.lower())(url, **body, **extra)
                sent += 1
                # /healthz/publishing answers 503 by design here: no dispatcher beats in this test.
                stalled = path == "/healthz/publishing" and response.status_code == 503
                if response.status_code >= 500 and not stalled:
                    kind = "hostile query" if "?" in url else body.get("content_type", "form" if body else "no body")
                    failures.append(f"{method} {path} ({kind})")
    elapsed = time.monotonic() - started
    assert not failures, "\n".join(sorted(set(failures)))
    assert sent > 300, sent
    print(f"{who}: {sent} requests in {elapsed:.1f} s")
