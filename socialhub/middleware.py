"""Refuse requests no view can handle, before any view runs.

- A NUL byte in the path, query string or a header: PostgreSQL cannot store or compare text with
  NUL in it, so such a value would fail deep in a query. 400.
- A text body (JSON, form, anything but multipart) over TEXT_BODY_MAX_BYTES: 413 from the
  Content-Length alone, so nothing reads, parses or counts megabytes of text. Multipart bodies
  carry uploads; their text fields are capped by DATA_UPLOAD_MAX_MEMORY_SIZE (the same figure).

Under the API's path prefixes the answer is the JSON error envelope; elsewhere a short text page.
"""

from urllib.parse import unquote

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from .api import envelope, is_api_path

NUL = "\x00"


def _refuse(request, message: str, status: int) -> HttpResponse:
    if is_api_path(request.path) or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(envelope(message), status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _has_nul(request) -> bool:
    if NUL in request.path or NUL in unquote(request.META.get("QUERY_STRING", "")):
        return True
    return any(NUL in str(value) for value in request.headers.values())


def _content_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            return _refuse(request, "The request contains a NUL byte.", 400)
        if (
            not request.content_type.startswith("multipart/")
            and _content_length(request) > settings.TEXT_BODY_MAX_BYTES
        ):
            limit_kb = settings.TEXT_BODY_MAX_BYTES // 1024
            return _refuse(request, f"The request body is too large: text is limited to {limit_kb} KB.", 413)
        return self.get_response(request)
