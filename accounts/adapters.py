from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Staff create resellers and clients; nobody signs themselves up."""

    def is_open_for_signup(self, request) -> bool:
        return False
