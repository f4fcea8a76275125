"""The Mastodon, Bluesky and LinkedIn sandbox: one threaded HTTP server answering Mastodon's REST paths
(/api/v1, /api/v2, /oauth) and Bluesky's XRPC paths (/xrpc/...) from one in-memory state, plus a
control API under /_sandbox/ for tests (users, queued faults, what was posted).

LinkedIn's paths (/oauth/v2, /v2/userinfo, /rest) are answered too, Facebook's Graph paths
(/v26.0/..., any version; facebook.py) and Instagram's (under /ig/; instagram.py). Bluesky's OAuth authorization
server (the "entryway") listens on a second address over the same state (bluesky_oauth.py). Faults are queued per route with POST /_sandbox/faults {"route": "mastodon.statuses", "status": 503}
or {"route": "bluesky.createRecord", "lose_answer": true}: a lost answer does the work, then
closes the connection without a byte, as a dropped connection after the platform acted would.
"""

from __future__ import annotations

import json
import secrets
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from . import bluesky, bluesky_oauth, facebook, instagram, linkedin, mastodon
from .state import State


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Any
    body: bytes
    base_url: str

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> dict:
        try:
            value = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def form(self) -> dict[str, list[str]]:
        """Form fields (urlencoded, multipart's text parts, or JSON turned into lists)."""
        kind = self.headers.get("Content-Type", "")
        if kind.startswith("application/json"):
            return {k: v if isinstance(v, list) else [v] for k, v in self.json().items()}
        if kind.startswith("multipart/form-data"):
            return {name: [value.decode()] for name, (value, _type) in self.multipart().items() if _type is None}
        return parse_qs(self.body.decode(errors="replace"), keep_blank_values=True)

    def multipart(self) -> dict[str, tuple[bytes, str | None]]:
        """name -> (content, content type of a file part, or None for a plain field)."""
        kind = self.headers.get("Content-Type", "")
        boundary = kind.partition("boundary=")[2].strip('"').encode()
        parts: dict[str, tuple[bytes, str | None]] = {}
        for chunk in self.body.split(b"--" + boundary):
            head, sep, content = chunk.partition(b"\r\n\r\n")
            if not sep:
                continue
            headers = head.decode(errors="replace")
            name = headers.partition('name="')[2].partition('"')[0]
            file_type = None
            if "filename=" in headers:
                file_type = "application/octet-stream"
                for line in headers.splitlines():
                    if line.lower().startswith("content-type:"):
                        file_type = line.split(":", 1)[1].strip()
            parts[name] = (content.removesuffix(b"\r\n"), file_type)
        return parts


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    lose_answer: bool = False


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(data).encode(), headers=dict(headers or {}))


def html_response(body: str, status: int = 200) -> Response:
    return Response(status, body.encode(), content_type="text/html; charset=utf-8")


def redirect(location: str) -> Response:
    return Response(302, b"", headers={"Location": location})


def dispatch(state: State, req: Request, *, entryway: bool = False) -> Response:
    if req.path.startswith("/_sandbox/"):
        return control(state, req)
    if entryway:
        handler, route = bluesky_oauth.entryway_route(req)
    elif req.path.startswith("/xrpc/"):
        handler, route = bluesky.route(req)
    elif instagram.handles(req.path):
        handler, route = instagram.route(req)
    elif bluesky_oauth.handles(req.path):
        handler, route = bluesky_oauth.pds_route(req)
    elif linkedin.handles(req.path):
        handler, route = linkedin.route(req)
    elif facebook.handles(req.path):
        handler, route = facebook.route(req)
        if handler is None:
            return facebook.error(400, 100, f"Unsupported {req.method} request.", kind="GraphMethodException")
    else:
        handler, route = mastodon.route(req)
    if handler is None:
        return json_response(404, {"error": "Record not found"} if not req.path.startswith("/xrpc/")
                             else {"error": "XRPCNotSupported", "message": "XRPCNotSupported"})
    fault = state.take_fault(route)
    if fault and route.startswith("facebook.") and (fault.get("status") or fault.get("code")):
        return facebook.fault_response(fault)
    if fault and fault.get("status"):
        status = int(fault["status"])
        body = fault["body"] if "body" in fault else _fault_body(route, status)
        headers = {}
        if status == 429 and route.startswith("instagram."):
            headers = instagram.usage_headers(int(fault.get("reset_in", 300)) // 60)
        elif status == 429 and not route.startswith("linkedin."):  # LinkedIn sends no reset time
            reset = int(time.time()) + int(fault.get("reset_in", 300))
            headers = (bluesky.rate_headers(0, reset) if route.startswith("bluesky.")
                       else mastodon.rate_headers(0, reset))
        return json_response(status, body, headers)
    response = handler(state, req)
    if fault and fault.get("lose_answer"):
        response.lose_answer = True  # done, but the client never hears it
    return response


def _fault_body(route: str, status: int) -> dict:
    """A forced error in the platform's own shape."""
    if route.startswith("instagram."):
        return instagram.fault_body(status)
    if route.startswith("linkedin."):
        return {"status": status, "serviceErrorCode": 101,
                "message": "Resource level throttle limit reached" if status == 429 else "Internal Server Error"}
    if route.startswith("bluesky."):
        return ({"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"} if status == 429
                else {"error": "InternalServerError", "message": "Internal Server Error"})
    return {"error": "Too many requests" if status == 429 else "Something went wrong"}


def control(state: State, req: Request) -> Response:
    path, body = req.path.removeprefix("/_sandbox/"), req.json()
    if path == "reset" and req.method == "POST":
        state.reset()
        return json_response(200, {"ok": True})
    if path == "faults" and req.method == "POST":
        state.add_fault(body)
        return json_response(200, {"queued": body})
    if path == "chaos" and req.method == "POST":
        state.set_chaos(body)
        return json_response(200, {"chaos": state.chaos})
    if path == "chaos" and req.method == "GET":  # the random faults dealt so far
        return json_response(200, {"chaos": state.chaos, "injected": state.injected})
    if path == "counts" and req.method == "POST":  # {"id": status id or at:// uri, "likeCount": 3, ...}
        with state.lock:
            state.counts.setdefault(str(body.pop("id", "")), {}).update({k: int(v) for k, v in body.items()})
        return json_response(200, {"ok": True})
    if path == "mastodon/users" and req.method == "POST":
        return json_response(200, state.mastodon_user(body.get("username") or "alice"))
    if path == "mastodon/statuses" and req.method == "GET":
        return json_response(200, [mastodon.status_json(state, s, req.base_url) for s in state.statuses.values()])
    if path == "mastodon/config" and req.method == "POST":
        state.max_characters = int(body.get("max_characters", state.max_characters))
        state.mastodon_rate_limit = int(body.get("rate_limit", state.mastodon_rate_limit))
        return json_response(200, {"max_characters": state.max_characters})
    if path == "linkedin/members" and req.method == "POST":
        member = state.linkedin_member(body.get("name") or "Alice Example")
        token = "li-" + member["sub"]
        with state.lock:
            state.li_tokens[token] = {"sub": member["sub"], "expires": time.time() + linkedin.TOKEN_TTL,
                                      "scopes": set(linkedin.ALL_SCOPES)}
        return json_response(200, {**member, "token": token})
    if path == "linkedin/organizations" and req.method == "POST":
        admins = body["admins"] if "admins" in body else ["Alice Example"]
        return json_response(200, state.linkedin_organization(body.get("name") or "Example Bakery", list(admins),
                                                              list(body.get("roles") or [])))
    if path == "linkedin/posts" and req.method == "GET":
        return json_response(200, list(state.li_posts.values()))
    if path == "facebook/users" and req.method == "POST":
        user = state.facebook_user(body.get("name") or "Alice Example", body.get("pages"))
        pages = [{**state.fb_pages[pid], "access_token": state.facebook_token("page", user["id"], page_id=pid)}
                 for pid in user["pages"]]
        return json_response(200, {**user, "pages": pages})
    if path == "facebook/posts" and req.method == "GET":
        return json_response(200, list(state.fb_posts.values()))
    if path == "facebook/expire" and req.method == "POST":
        with state.lock:
            for grant in state.fb_tokens.values():
                if grant["page_id"] == str(body.get("page_id")):
                    grant["expires"] = time.time() - 1
        return json_response(200, {"expired": body.get("page_id")})
    if path == "facebook/config" and req.method == "POST":
        state.fb_rate_limit = int(body.get("rate_limit", state.fb_rate_limit))
        state.fb_video_processing = float(body.get("video_processing", state.fb_video_processing))
        return json_response(200, {"rate_limit": state.fb_rate_limit, "video_processing": state.fb_video_processing})
    if path.startswith("instagram/") and (answer := instagram.control(state, req, path.removeprefix("instagram/"))):
        return answer
    if path == "bluesky/users" and req.method == "POST":
        return json_response(200, state.bluesky_user(body.get("handle") or "alice.bsky.test",
                                                     body.get("app_password") or "abcd-efgh-ijkl-mnop"))
    if path == "bluesky/records" and req.method == "GET":
        return json_response(200, [{"uri": uri, "cid": rec["cid"], "value": rec["value"]}
                                   for uri, rec in state.records.items()])
    if path == "bluesky/config" and req.method == "POST":
        state.access_ttl = int(body.get("access_ttl", state.access_ttl))
        if body.get("rotate_nonce"):  # the next DPoP proofs with the old nonce get use_dpop_nonce
            state.dpop_nonce = secrets.token_urlsafe(16)
        return json_response(200, {"access_ttl": state.access_ttl})
    if path == "bluesky/clients" and req.method == "POST":  # an OAuth client's metadata, as if fetched
        state.oauth_clients[body["client_id"]] = body
        return json_response(200, {"client_id": body["client_id"]})
    return json_response(404, {"error": f"no control route {req.method} {req.path}"})


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], state: State, quiet: bool = False, *, entryway: bool = False):
        self.state, self.quiet, self.entryway = state, quiet, entryway
        super().__init__(address, Handler)

    def log(self, line: str) -> None:
        if not self.quiet:
            print(line, file=sys.stderr, flush=True)


class Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"
    timeout = 60
    server_version = "platform-sandbox/1.0"

    def do_GET(self) -> None:
        started = time.monotonic()
        path, _, query = self.path.partition("?")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        host = self.headers.get("Host") or "%s:%s" % self.server.server_address[:2]
        req = Request(self.command, path, parse_qs(query, keep_blank_values=True), self.headers, body, f"http://{host}")
        try:
            response = dispatch(self.server.state, req, entryway=self.server.entryway)
        except Exception:
            self.server.log(traceback.format_exc())
            response = json_response(500, {"error": "InternalServerError", "message": "See the sandbox log."})
        if response.lose_answer:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            outcome = "dropped"
        else:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(response.body)
            outcome = str(response.status)
        # Only the path: query strings carry codes and tokens.
        self.server.log(f"{self.command} {path} {outcome} {(time.monotonic() - started) * 1000:.0f}ms")

    do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Sandbox:
    """A running sandbox: `url`, `entryway_url` (Bluesky's authorization server), `state`,
    `stop()`; also a context manager."""

    def __init__(self, server: SandboxServer, entryway: SandboxServer, threads: list[threading.Thread]):
        self.server, self.entryway, self.state, self._threads = server, entryway, server.state, threads
        self.url, self.entryway_url = _url(server), _url(entryway)

    def stop(self) -> None:
        for server in (self.server, self.entryway):
            server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)
        for server in (self.server, self.entryway):
            server.server_close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def _url(server: SandboxServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def start_sandbox(host: str = "127.0.0.1", port: int = 0, *, entryway_port: int = 0, quiet: bool = True) -> Sandbox:
    state = State()
    server = SandboxServer((host, port), state, quiet=quiet)
    entryway = SandboxServer((host, entryway_port), state, quiet=quiet, entryway=True)
    state.bluesky_issuer = _url(entryway)
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True)
               for s, name in ((server, "platform-sandbox"), (entryway, "bluesky-entryway"))]
    for thread in threads:
        thread.start()
    return Sandbox(server, entryway, threads)
