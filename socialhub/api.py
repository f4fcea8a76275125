"""The REST API's error envelope: every error, 400 to 500, reads

    {"success": false, "message": "...", "details": {...}}

as the seed documents, with field errors in `details`. Domain errors raised by services become
the matching HTTP answer here, so views only call services.
"""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from posts import errors as post_errors
from socials.publishers import PublishError

log = logging.getLogger(__name__)


def error_response(message: str, *, status_code: int, details: dict | None = None, headers=None) -> Response:
    return Response(
        {"success": False, "message": message, "details": details or {}},
        status=status_code,
        headers=headers,
    )


def _first_message(details) -> str:
    if isinstance(details, dict):
        for value in details.values():
            return _first_message(value)
    if isinstance(details, list) and details:
        return _first_message(details[0])
    return str(details)


def _from_domain(exc: Exception) -> exceptions.APIException | None:
    """Translate the services' errors to DRF's."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return exceptions.ValidationError(detail)
    if isinstance(exc, post_errors.NotAllowed):
        # A forbidden object is answered like a missing one, so ids cannot be probed.
        return exceptions.NotFound("Not found.")
    if isinstance(exc, post_errors.InvalidState):
        conflict = exceptions.APIException(str(exc))
        conflict.status_code = status.HTTP_409_CONFLICT
        return conflict
    if isinstance(exc, Http404):
        return exceptions.NotFound("Not found.")
    return None


# A publish refused before anything was sent (socials.publishers.PublishError), by kind.
PUBLISH_ERROR_STATUS = {"app_only": 403, "auth": 403, "refresh_invalid": 403, "not_connected": 400}


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: wrap every error in the seed's envelope; never a stack trace."""
    if isinstance(exc, PublishError):
        status_code = PUBLISH_ERROR_STATUS.get(exc.kind, 400 if exc.permanent else 503)
        return error_response(exc.user_message, status_code=status_code, details=exc.details)
    exc = _from_domain(exc) or exc
    response = drf_exception_handler(exc, context)
    if response is None:
        log.exception("Unhandled error in %s", context.get("view").__class__.__name__, exc_info=exc)
        return error_response("Internal server error.", status_code=500)
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        details = data if isinstance(data, dict) else {"non_field_errors": data}
        message = _first_message(details)
    else:
        message = str(data.get("detail", exc)) if isinstance(data, dict) else str(data)
        details = {k: v for k, v in data.items() if k != "detail"} if isinstance(data, dict) else {}
    response.data = {"success": False, "message": message, "details": details}
    return response
