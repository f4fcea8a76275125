"""`Idempotency-Key` for POST endpoints: a retried create answers the first answer, never a second object.

Keys are scoped per user and kept 24 hours. The first request with a key inserts the key's row and
runs the view in the same transaction, so a concurrent retry waits on the row's unique index and
then replays the stored answer. Only successful answers are stored: a failed request changed
nothing (services are atomic), so the same key may be retried after fixing the request.
"""

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# For @extend_schema(parameters=[...]) on the decorated views.
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    OpenApiParameter.HEADER,
    description="Any unique string (a UUID): a retry with the same key and body gets the first "
    "answer instead of acting twice; the same key with another body is a 409. Kept 24 hours.",
)


def _value_digest(value) -> str:
    if hasattr(value, "chunks"):  # an uploaded file: its name and content
        digest = hashlib.sha256(str(getattr(value, "name", "")).encode())
        value.seek(0)
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return "file:" + digest.hexdigest()
    return str(value)


def request_fingerprint(request) -> str:
    """SHA-256 of what the request asks for: method, path and parsed body (files by content)."""
    data = request.data
    if hasattr(data, "lists"):  # form data: a QueryDict with the files merged in
        body = sorted((key, [_value_digest(v) for v in values]) for key, values in data.lists())
    else:
        body = data
    raw = json.dumps([request.method, request.path, body], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def purge_expired() -> int:
    """Forget keys older than the TTL. Returns how many were deleted."""
    deleted, _ = IdempotencyKey.objects.expired().delete()
    return deleted


def _replay(record: IdempotencyKey, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        conflict = exceptions.APIException(
            f"This {HEADER} was already used for a different request; use a new key."
        )
        conflict.status_code = status.HTTP_409_CONFLICT
        raise conflict
    return Response(record.response_body, status=record.status_code, headers={"Idempotent-Replayed": "true"})


def idempotent(handler):
    """Decorate an APIView's `post` method to honour the Idempotency-Key header."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise exceptions.ValidationError(
                {HEADER: [f"Send a key of 1 to {MAX_KEY_LENGTH} characters, for example a UUID."]}
            )
        fingerprint = request_fingerprint(request)
        purge_expired()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(
                        user=request.user,
                        key=key,
                        method=request.method,
                        path=request.path,
                        fingerprint=fingerprint,
                        status_code=0,
                    )
            except IntegrityError:
                # Used before (or right now, by a request that has since committed): replay it.
                return _replay(IdempotencyKey.objects.get(user=request.user, key=key), fingerprint)
            response = handler(view, request, *args, **kwargs)
            if status.is_success(response.status_code):
                record.status_code = response.status_code
                record.response_body = json.loads(JSONRenderer().render(response.data) or b"null")
                record.save(update_fields=["status_code", "response_body"])
            else:
                transaction.set_rollback(True)
            return response

    return wrapper
