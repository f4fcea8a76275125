"""allauth's social side, customised here and in settings only (SOCIALACCOUNT_ADAPTER).

X is never a way to log in or sign up: a signed-in client *connects* X accounts. When allauth has
finished the OAuth dance (state checked, code exchanged with the PKCE verifier, profile read), the
tokens go to `services.connect_account` and the flow stops there: no allauth SocialAccount or
SocialToken is written (SOCIALACCOUNT_STORE_TOKENS is off), so socials.Account is the one home of
X tokens and nothing has to be kept in step. LinkedIn (allauth's openid_connect provider, app id
"linkedin") is handed to platforms/linkedin/connect.py at the same point.
"""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.base.constants import AuthError

from platforms.x.providers.connect_only import CLIENTS_ONLY, NOT_A_LOGIN

from . import services
from .models import Account

log = logging.getLogger(__name__)

PROVIDER_TOKEN_TYPES = {"twitter_oauth2": Account.TokenType.OAUTH2_USER, "twitter": Account.TokenType.OAUTH1}


def accounts_page() -> str:
    return reverse("socials:accounts")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return False

    def list_providers(self, request) -> list:
        # Only for allauth's templates (the login page's "sign in with" links, its connections
        # page): X is never a way to sign in, and is connected from the X accounts page.
        return []

    def list_apps(self, request, provider=None, client_id=None) -> list:
        """A client who registered their own X app connects with it (agency.x_apps); everyone
        else with the platform's app from settings."""
        from agency.x_apps import app_for

        own = app_for(getattr(request, "user", None), provider) if request is not None else None
        if own is not None and (client_id is None or client_id == own.client_id):
            return [own]
        return super().list_apps(request, provider=provider, client_id=client_id)

    def get_provider(self, request, provider: str, client_id=None):
        """A network whose app is not set up here (no FACEBOOK_APP_ID, say) has no connect flow:
        its allauth routes answer 404, not a server error."""
        try:
            return super().get_provider(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404(f"{provider} is not set up on this SocialHub") from None

    def get_connect_redirect_url(self, request, socialaccount) -> str:
        return accounts_page()

    def pre_social_login(self, request, sociallogin) -> None:
        """The provider answered: save the X account for the signed-in client, then stop the flow."""
        user = request.user
        if sociallogin.state.get("process") != AuthProcess.CONNECT or not user.is_authenticated:
            raise ImmediateHttpResponse(self._back(request, NOT_A_LOGIN, level=messages.ERROR))
        if not user.is_client:
            raise ImmediateHttpResponse(self._back(request, CLIENTS_ONLY, level=messages.ERROR))
        if sociallogin.account.provider == "linkedin":  # allauth's openid_connect, for LinkedIn
            from platforms.linkedin.connect import finish

            raise ImmediateHttpResponse(finish(request, sociallogin))
        if sociallogin.account.provider == "facebook":  # the person's pages are chosen next
            from platforms.facebook.views import after_login

            raise ImmediateHttpResponse(after_login(request, sociallogin))
        try:
            from agency.x_apps import account_fields

            app_fields = account_fields(user, sociallogin.account.provider)
            connected = services.connect_account(user=user, **self._account_fields(sociallogin), **app_fields)
        except ValidationError as exc:
            log.warning("Connecting an X account for user %s failed: %s", user.pk, exc.messages)
            raise ImmediateHttpResponse(
                self._back(request, "X did not send what SocialHub needs: " + " ".join(exc.messages),
                           level=messages.ERROR)
            ) from exc
        account = connected.account
        verb = "Connected" if connected.created else "Reconnected"
        raise ImmediateHttpResponse(
            self._back(request, f"{verb} X account {account}.", next_url=sociallogin.state.get("next"))
        )

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        """A refused or broken flow (cancelled, state mismatch, X error) lands back on the accounts page."""
        if exception is not None:
            log.warning("Connecting %s failed: %r", provider.sub_id, exception)
        if provider.sub_id == "linkedin":
            from platforms.linkedin.connect import failed_message

            message = failed_message(request)
        elif error == AuthError.CANCELLED:
            message = f"Connecting {provider.name} was cancelled: nothing changed."
        else:
            message = f"Connecting {provider.name} did not work (the sign-in expired or was not started here). Try again."
        if request.user.is_authenticated:
            raise ImmediateHttpResponse(self._back(request, message, level=messages.ERROR))

    @staticmethod
    def _account_fields(sociallogin) -> dict:
        data, token = sociallogin.account.extra_data, sociallogin.token
        token_type = PROVIDER_TOKEN_TYPES[sociallogin.account.provider]
        fields = {
            "provider_account_id": str(sociallogin.account.uid),
            "username": data.get("username") or data.get("screen_name") or "",
            "name": data.get("name") or "",
            "token_type": token_type,
            "verified_type": str(data.get("verified_type") or ""),
            "subscription_type": str(data.get("subscription_type") or ""),
        }
        if token_type == Account.TokenType.OAUTH2_USER:
            fields.update(
                oauth2_access_token=token.token,
                oauth2_refresh_token=token.token_secret or "",
                expires_at=token.expires_at,
                scope=getattr(token, "granted_scope", ""),
            )
        else:
            fields.update(oauth1_access_token=token.token, oauth1_access_token_secret=token.token_secret)
        return fields

    @staticmethod
    def _back(request, message: str, *, level=messages.SUCCESS, next_url: str | None = None):
        messages.add_message(request, level, message)
        safe = next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return HttpResponseRedirect(next_url if safe else accounts_page())
