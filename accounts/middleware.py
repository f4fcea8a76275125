import zoneinfo
from functools import cache

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.contrib.auth import middleware
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from socialhub import plain_sql


class AuthenticationMiddleware(middleware.AuthenticationMiddleware):
    """Django's, with the signed-in user read by one plain statement.

    Every page and API call with a login reads its user: through the ORM (ModelBackend.get_user)
    building and compiling that lookup cost about 1,000 Python calls a request, more than the
    statement. A session whose backend reads users as ModelBackend does, with a live active
    user whose session hash matches the current SECRET_KEY, gets that user here; anything else
    (no such user, inactive, a hash of a fallback key or of an old password, another backend)
    goes through Django's own `auth.get_user`, which cycles or flushes the session as it always
    has. The user row is read on every request, never kept between them.
    https://docs.djangoproject.com/en/5.2/topics/auth/default/#session-invalidation-on-password-change
    """

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))


def get_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = _session_user(request) or auth.get_user(request)
    return request._cached_user


def _session_user(request):
    """The session's user if the common case holds (see AuthenticationMiddleware), else None."""
    session = request.session
    backend_path = session.get(BACKEND_SESSION_KEY)
    session_hash = session.get(HASH_SESSION_KEY)
    if not session_hash or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    if not _reads_users_as_model_backend(backend_path):
        return None
    User = get_user_model()
    try:
        user_id = User._meta.pk.to_python(session[SESSION_KEY])
    except (KeyError, ValidationError):
        return None
    user = _user(User, user_id)
    if user is None or not user.is_active:
        return None
    if not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    return user


@cache
def _reads_users_as_model_backend(backend_path: str) -> bool:
    backend = type(load_backend(backend_path))
    return (issubclass(backend, ModelBackend) and backend.get_user is ModelBackend.get_user
            and backend.user_can_authenticate is ModelBackend.user_can_authenticate)


def _user(User, user_id):
    """The user row with this id as a model, as `User._default_manager.get(pk=user_id)` reads it."""
    using = router.db_for_read(User)
    sql, fields, names = _user_statement(User, using)
    rows = plain_sql.fetch(using, sql, [user_id], fields)
    return User.from_db(using, names, rows[0]) if rows else None


@cache
def _user_statement(User, using: str) -> tuple[str, list, list[str]]:
    quote = connections[using].ops.quote_name
    fields = list(User._meta.concrete_fields)
    sql = (f"SELECT {', '.join(quote(field.column) for field in fields)} FROM {quote(User._meta.db_table)} "
           f"WHERE {quote(User._meta.pk.column)} = %s")
    return sql, fields, [field.attname for field in fields]


class UserTimezoneMiddleware:
    """Show every datetime in the viewer's own time zone (they are stored in UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
