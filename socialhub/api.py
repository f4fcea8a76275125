"""The REST API's shared pieces: the error envelope, pagination, opaque ids, the schema's error responses.

Every error, 400 to 500, reads

    {"success": false, "message": "...", "details": {...}}

as the seed documents, with field errors in `details`. Domain errors raised by services become
the matching HTTP answer here, so views only call services. Errors Django answers itself (a URL
nobody serves, a crash outside DRF) get the same envelope under the API's path prefixes, through
`handler404`/`handler500` in socialhub/urls.py.
"""

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views import csrf, defaults
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from socialhub.errors import InvalidState, NotAllowed
from socialhub.parsing import parse_id
from socials.error_kinds import http_status
from socials.publishers import PublishError

log = logging.getLogger(__name__)

# Paths whose every answer, errors included, is JSON: the REST API and the seed's paths (the rest
# of /socials/ is pages).
API_PREFIXES = ("/api/", "/post/", "/socials/test-connection/", "/socials/publish/")


def envelope(message: str, details: dict | None = None) -> dict:
    return {"success": False, "message": message, "details": details or {}}


def error_response(message: str, *, status_code: int, details: dict | None = None, headers=None) -> Response:
    return Response(envelope(message, details), status=status_code, headers=headers)


def _first_message(details) -> str:
    if isinstance(details, dict):
        for value in details.values():
            return _first_message(value)
    if isinstance(details, list) and details:
        return _first_message(details[0])
    return str(details)


def _api_error(message: str, status_code: int) -> exceptions.APIException:
    exc = exceptions.APIException(message)
    exc.status_code = status_code
    return exc


def _from_domain(exc: Exception) -> exceptions.APIException | None:
    """Translate the services' (and Django's) errors to DRF's."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return exceptions.ValidationError(detail)
    if isinstance(exc, NotAllowed):
        # A forbidden object is answered like a missing one, so ids cannot be probed.
        return exceptions.NotFound("Not found.")
    if isinstance(exc, InvalidState):
        return _api_error(str(exc), status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404):
        return exceptions.NotFound("Not found.")
    if isinstance(exc, RequestDataTooBig):
        return _api_error("The request body is too large.", status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):
        # Too many fields or files, a malformed multipart body: the client's fault, never a 500.
        return exceptions.ParseError("The request could not be read.")
    return None


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: wrap every error in the seed's envelope; never a stack trace."""
    if isinstance(exc, PublishError):
        # A publish refused before anything was sent: the kind's status (socials.error_kinds).
        return error_response(exc.user_message, status_code=http_status(exc.kind), details=exc.details)
    exc = _from_domain(exc) or exc
    response = drf_exception_handler(exc, context)
    if response is None:
        view = context.get("view")
        log.error("Unhandled error in %s", view.__class__.__name__, exc_info=exc)
        set_rollback()
        return error_response("Internal server error.", status_code=500)
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        details = data if isinstance(data, dict) else {"non_field_errors": data}
        message = _first_message(details)
    else:
        # simplejwt's errors carry {"detail", "code", "messages"}: the rest goes to details.
        message = str(data.get("detail", exc)) if isinstance(data, dict) else _first_message(data)
        details = {k: v for k, v in data.items() if k != "detail"} if isinstance(data, dict) else {}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            details["retry_after"] = int(exc.wait)
    response.data = envelope(message, details)
    return response


# --- Django-level errors: JSON under the API's prefixes, the usual pages elsewhere.


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def _is_api(request) -> bool:
    return is_api_path(request.path)


def bad_request(request, exception, template_name="400.html"):
    if _is_api(request):
        return JsonResponse(envelope("Bad request."), status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception, template_name="403.html"):
    if _is_api(request):
        return JsonResponse(envelope("You do not have permission to perform this action."), status=403)
    return defaults.permission_denied(request, exception)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the envelope under the API's prefixes, Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse(envelope("CSRF check failed. Send the CSRF token, or use a bearer token."), status=403)
    return csrf.csrf_failure(request, reason=reason)


def page_not_found(request, exception, template_name="404.html"):
    if _is_api(request):
        return JsonResponse(envelope("Not found."), status=404)
    return defaults.page_not_found(request, exception)


def unknown_path(request, *args, **kwargs):
    """Every URL nobody serves under /api/, /post/ and /socials/ (the last URL pattern), with DEBUG
    on too: the same path with or without its trailing slash is redirected there (308 keeps the
    method and body); anything else is the envelope's 404. Under /socials/, which also holds pages,
    a browser asking for HTML gets the usual 404 page."""
    path = request.path
    other = path.rstrip("/") if path.endswith("/") else path + "/"
    try:
        match = resolve(other)
    except Resolver404:
        match = None
    if match is not None and match.url_name != "unknown-path":
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(other + (f"?{query}" if query else ""), preserve_request=True)
    if not path.startswith(API_PREFIXES) and "text/html" in request.headers.get("Accept", ""):
        raise Http404(path)
    return JsonResponse(envelope("Not found.", {"path": path}), status=404)


def server_error(request, template_name="500.html"):
    if _is_api(request):
        return JsonResponse(envelope("Internal server error."), status=500)
    return defaults.server_error(request)


# --- Ids are opaque strings to clients; the database's are integers (socialhub/parsing.py).


@extend_schema_field(OpenApiTypes.STR)
class OpaqueIdField(serializers.PrimaryKeyRelatedField):
    """A related object's id, written and read as a string."""

    def to_representation(self, value):
        return str(value.pk)

    def to_internal_value(self, data):
        pk = parse_id(data)
        if pk is None:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(pk)


class Pagination(pagination.PageNumberPagination):
    """Pages of PAGE_SIZE rows; clients may ask for up to 100 with ?page_size=."""

    page_size_query_param = "page_size"
    max_page_size = 100


# --- The OpenAPI schema (drf-spectacular postprocessing hook, see SPECTACULAR_SETTINGS).

ERROR_RESPONSES = {
    "400": "The request is invalid: field errors are in `details`.",
    "401": "No valid credentials (send `Authorization: Bearer <jwt>`).",
    "403": "Your role may not use this endpoint.",
    "404": "No such object, or not one you may see.",
    "406": "The requested response format is not available.",
    "409": "The object is not in a state that allows this, or the Idempotency-Key was used "
    "for a different request.",
    "413": "The request body is too large.",
    "415": "Unsupported content type.",
    "429": "Too many requests.",
    "500": "Internal server error.",
}
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer, 400 to 500 (the seed's envelope).",
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "message": {"type": "string"},
        "details": {
            "type": "object",
            "additionalProperties": True,
            "description": "Field errors by field name, or more about the error.",
        },
    },
    "required": ["success", "message", "details"],
}


def add_error_responses(result, generator, request, public):
    """Document the error envelope on every operation, and path ids as the strings they are."""
    result.setdefault("components", {}).setdefault("schemas", {})["ErrorEnvelope"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for code, description in ERROR_RESPONSES.items():
                operation["responses"].setdefault(code, {"description": description})
            for code, response in operation["responses"].items():
                if code.isdigit() and int(code) >= 400:  # every error answer is the envelope
                    response["content"] = {"application/json": {"schema": ref}}
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer":
                    parameter["schema"] = {"type": "string"}
    return result
