"""Request and response values passed between the HTTP server and the endpoint handlers.

Handlers never touch sockets: they take a `Request` and return a `Response`, or raise `ApiError`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import parse_qsl, urlencode

FORM = "application/x-www-form-urlencoded"


class ApiError(Exception):
    """An error answer. Raised anywhere below a handler; the router turns it into a `Response`."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}

    def to_response(self) -> Response:
        content_type = "application/problem+json" if "title" in self.body else "application/json"
        return json_response(self.status, self.body, self.headers, content_type=content_type)


@dataclass
class Request:
    """One HTTP request, fully read. `url` is absolute (scheme and Host header) for OAuth 1.0a."""

    method: str
    path: str
    query_string: str
    headers: Message
    body: bytes
    url: str
    client_ip: str = ""

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.query_string, keep_blank_values=True))

    @property
    def content_type(self) -> str:
        return self.headers.get_content_type() if self.headers.get("Content-Type") else ""

    def is_form(self) -> bool:
        return self.content_type == FORM

    def form(self) -> dict[str, str]:
        """The urlencoded body as a dict (last value wins). Empty unless the body is a form."""
        if not self.is_form():
            return {}
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))

    def json(self) -> Any:
        """The JSON body. Raises ApiError 400 when it is not JSON."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            raise ApiError(400, {
                "title": "Invalid Request", "type": "https://api.x.com/2/problems/invalid-request",
                "detail": "Request body is not valid JSON.", "status": 400,
            }) from None

    def json_object(self) -> dict[str, Any]:
        """The JSON body, which must be an object; a form body is accepted the same way."""
        if self.is_form():
            return self.form()
        data = self.json()
        if not isinstance(data, dict):
            raise ApiError(400, {
                "title": "Invalid Request", "type": "https://api.x.com/2/problems/invalid-request",
                "detail": "Request body must be a JSON object.", "status": 400,
            })
        return data


@dataclass
class Response:
    """An answer to write. `lose_answer` means: close the connection and write nothing."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    lose_answer: bool = False


def json_response(status: int, data: Any, headers: dict[str, str] | None = None,
                  content_type: str = "application/json") -> Response:
    body = json.dumps(data, separators=(",", ":")).encode()
    return Response(status, body, f"{content_type}; charset=utf-8", dict(headers or {}))


def html_response(status: int, html: str) -> Response:
    return Response(status, html.encode(), "text/html; charset=utf-8")


def form_response(status: int, data: dict[str, str]) -> Response:
    return Response(status, urlencode(data).encode(), FORM)


def redirect(location: str) -> Response:
    return Response(302, b"", "text/plain", {"Location": location})


def add_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` appended to its query string (which it may already have)."""
    separator = "&" if "?" in url else "?"
    return url + separator + urlencode(params)
