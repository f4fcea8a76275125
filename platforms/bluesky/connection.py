"""Test connection and revoke for Bluesky: com.atproto.server.getSession on the account's PDS
(renewing the session first when it is due); on disconnect the OAuth session is revoked, or an
app-password session deleted."""

from __future__ import annotations

from ..connection import PlatformConnection
from . import client


class BlueskyConnection(PlatformConnection):
    def whoami(self, account):
        api = client.account_client(account)
        try:
            session = api.com.atproto.server.get_session()
        except client.FAILURES as exc:
            raise client.error(exc, doing="checking the connection", account=account) from exc
        return session.handle, account.name, None

    def revoke(self, account) -> bool:
        return client.revoke(account)
