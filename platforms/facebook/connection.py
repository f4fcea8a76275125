"""Test connection for a Facebook Page: GET /{page-id}?fields=id,name,username with the page
token. A page token has no revoke of its own (only the person's DELETE /me/permissions, which
would end every page's access): the app is removed on Facebook."""

from __future__ import annotations

from ..connection import PlatformConnection
from .client import Graph


class FacebookConnection(PlatformConnection):
    def whoami(self, account):
        page = Graph(account.oauth2_access_token, account=account).page(account.provider_account_id)
        return str(page.get("username") or account.username), str(page.get("name") or ""), None
