from allauth.account.adapter import DefaultAccountAdapter

from . import login


class AccountAdapter(DefaultAccountAdapter):
    """Staff create resellers and clients; nobody signs themselves up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth counts failed logins per text typed ("rita", "RITA", "rita@example.com" apart);
        # count them per account instead, whichever way in and whichever spelling.
        return login.attempts_key(credentials.get("email") or credentials.get("username") or "")
