"""Every way in checks a password here: the login page (allauth), the admin and `POST /api/auth/token`.

One brute-force limit for all of them: allauth's `login_failed` rate limit (ACCOUNT_RATE_LIMITS),
counted per address and per account in the shared cache (CACHES["default"]: Redis when REDIS_URL
is set, else the database), so 30 guesses cannot be spread over the three doors or over web
processes. A correct password after the limit is refused too, until the window has passed.
https://docs.allauth.org/en/latest/account/rate_limits.html
"""

from allauth.account.adapter import get_adapter
from django import forms

from .models import User



class TooManyLoginAttempts(Exception):
    """The address or the account used up its failed logins for now (str: allauth's message)."""


def authenticate(request, *, login: str, password: str) -> User | None:
    """The active user with that username (or email) and password, else None.

    Raises TooManyLoginAttempts once the address or the account has failed too often.
    """
    try:
        return get_adapter(request).authenticate(request, username=login, password=password)
    except forms.ValidationError as exc:  # allauth's "too_many_login_attempts"
        raise TooManyLoginAttempts(exc.messages[0]) from exc


def attempts_key(login: str) -> str:
    """What failed logins are counted against: the account the login names (by username or
    email, any case), or the text itself when no account has it, so probing costs the same."""
    login = (login or "").strip()
    user = (
        User.objects.filter(username__iexact=login).only("pk").first()
        or User.objects.filter(email__iexact=login).only("pk").first()
        if login
        else None
    )
    return f"user:{user.pk}" if user else f"login:{login.lower()}"
