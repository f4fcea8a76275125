"""Connecting LinkedIn through allauth's openid_connect provider (provider id "linkedin", see
SOCIALACCOUNT_PROVIDERS): allauth runs the sign-in (state, code exchange, id_token checks, userinfo);
socials.adapters hands the answer here. Like X's, the token goes to socials.Account and nowhere
else (SOCIALACCOUNT_STORE_TOKENS is off): the member's profile is saved, the pages it already
connected get the new token, and the pages the member administers are offered to choose from."""

from __future__ import annotations

import dataclasses
import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from socials import services
from socials.models import Account
from socials.publishers import PublishError

from . import accounts
from .client import LinkedIn

log = logging.getLogger(__name__)

PROVIDER_ID = "linkedin"
PAGES_KEY = "linkedin_pages"  # session: {"member": pk, "pages": [{id, name, vanity}]}
# LinkedIn's own answers when the member turns SocialHub down on the consent page.
CANCELLED = {"user_cancelled_authorize", "user_cancelled_login", "access_denied"}


def finish(request: HttpRequest, sociallogin) -> HttpResponse:
    """The member approved SocialHub: save their profile, renew their pages, offer the others."""
    data = sociallogin.account.extra_data
    member_info = data.get("userinfo") or data.get("id_token") or {}
    token = sociallogin.token
    try:
        result = services.connect_account(
            user=request.user, provider="linkedin", provider_account_id=str(sociallogin.account.uid),
            username=str(sociallogin.account.uid), name=str(member_info.get("name") or ""),
            token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token=token.token, expires_at=token.expires_at,
            scope=settings.LINKEDIN_SCOPES,
        )
        renewed = accounts.renew_pages(result.account)
    except ValidationError as exc:
        log.warning("Connecting LinkedIn for user %s failed: %s", request.user.pk, exc.messages)
        messages.error(request, "LinkedIn did not send what SocialHub needs: " + " ".join(exc.messages))
        return redirect("socials:accounts")
    member = result.account
    verb = "Connected" if result.created else "Reconnected"
    also = f" Its pages work again: {', '.join(p.name for p in renewed)}." if renewed else ""
    messages.success(request, f"{verb} LinkedIn account {member}.{also}")
    try:
        pages = LinkedIn(member.oauth2_access_token, account=member).administered_pages()
    except PublishError as exc:
        if exc.kind != "forbidden":  # forbidden: the app or member has no page scopes; profile only
            messages.warning(request, f"Your LinkedIn pages could not be listed ({exc.user_message}). "
                                      "Reconnect to try again.")
        pages = []
    if not pages:
        return redirect("socials:accounts")
    request.session[PAGES_KEY] = {"member": member.pk, "pages": [dataclasses.asdict(p) for p in pages]}
    return redirect("platforms:linkedin-pages")


def failed_message(request: HttpRequest) -> str:
    if request.GET.get("error") in CANCELLED:
        return "Connecting LinkedIn was cancelled: nothing changed."
    return "Connecting LinkedIn did not work (the sign-in expired or was not started here). Try again."
