"""The X client's pooled session goes through the proxy the environment names (HTTPS_PROXY,
HTTP_PROXY, NO_PROXY), read once per X address when the process first calls it, not on every
request (docs/performance.md)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from platforms.x import client as x_client
from platforms.x.client import OAuth2Credentials, XClient, XError
from socials.error_kinds import ErrorKind

NOBODY = "http://127.0.0.1:9"  # the discard port: nothing answers there


class _Me(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"data": {"id": "42", "username": "alice"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_x():
    """A plain-http stand-in for X on loopback, answering GET /2/users/me."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Me)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def environment(monkeypatch):
    """Set proxy variables as if the process had started with them."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the loopback stand-in is plain http
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy", "ALL_PROXY",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)

    def start_with(**names):
        for name, value in names.items():
            monkeypatch.setenv(name, value)
        x_client._environ_proxies.cache_clear()

    yield start_with
    x_client._environ_proxies.cache_clear()


def me(api_url: str) -> dict:
    return XClient(OAuth2Credentials("token"), api_url=api_url).get_me()


def test_calls_go_through_the_proxy_the_environment_names(environment, local_x):
    environment(HTTP_PROXY=NOBODY)

    with pytest.raises(XError) as raised:
        me(local_x)

    assert raised.value.kind == ErrorKind.CONNECTION
    assert "ProxyError" in raised.value.detail
    assert not raised.value.outcome_unknown  # the proxy refused: nothing reached X


def test_no_proxy_exempts_an_address(environment, local_x):
    environment(HTTP_PROXY=NOBODY, NO_PROXY="127.0.0.1")

    assert me(local_x)["username"] == "alice"


def test_without_proxy_variables_calls_go_straight_to_x(environment, local_x):
    environment()

    assert me(local_x)["username"] == "alice"


def test_the_environment_is_read_once_per_address_not_per_request(environment, local_x, monkeypatch):
    environment()
    me(local_x)
    monkeypatch.setenv("HTTP_PROXY", NOBODY)  # set after the process's first call: not seen

    assert me(local_x)["username"] == "alice"
    assert x_client._environ_proxies.cache_info().misses == 1
