"""Test connection for LinkedIn: /v2/userinfo for a member, the organization lookup (with the
administering member's token) for a page. LinkedIn offers no revoke for member tokens: the member
removes the app under LinkedIn's settings."""

from __future__ import annotations

from django.utils import timezone

from ..connection import PlatformConnection
from . import accounts
from .client import LinkedIn


class LinkedInConnection(PlatformConnection):
    def whoami(self, account):
        if account.expires_at and account.expires_at <= timezone.now():
            raise accounts.reconnect(account, "LinkedIn's 60-day access ended: reconnect the account")
        api = LinkedIn(account.oauth2_access_token, account=account)
        if accounts.is_page(account):  # the member's token, asked about the page
            return account.username, api.page(account.provider_account_id.rsplit(":", 1)[1]).name, None
        return account.username, str(api.userinfo().get("name") or ""), None
