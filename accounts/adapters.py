from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from . import login


@dataclass(frozen=True)
class SiteFromSettings:
    """What allauth's email templates read as `current_site`, from SITE_NAME and SITE_URL (never the
    django.contrib.sites row, which says example.com on a fresh database)."""

    name: str
    domain: str


def site_from_settings() -> SiteFromSettings:
    return SiteFromSettings(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    """Staff create resellers and clients; nobody signs themselves up. Every email allauth sends
    (password reset and the rest) is branded and linked from settings."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth counts failed logins per text typed ("rita", "RITA", "rita@example.com" apart);
        # count them per account instead, whichever way in and whichever spelling.
        return login.attempts_key(credentials.get("email") or credentials.get("username") or "")

    def format_email_subject(self, subject: str) -> str:
        return f"[{settings.SITE_NAME}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        super().send_mail(template_prefix, email, {**context, "current_site": site_from_settings()})

    def get_reset_password_from_key_url(self, key: str) -> str:
        # allauth builds the link from the request's host; links in emails come from SITE_URL.
        from allauth.account.internal import flows

        url = flows.password_reset.get_reset_password_from_key_url(self.request, key)
        path = urlsplit(url).path
        return settings.SITE_URL + path
