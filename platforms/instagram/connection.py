"""Test connection for Instagram: GET /me on graph.instagram.com, which also renews the 60-day
token when it is due. Instagram Login has no revoke: the person removes the app on Instagram."""

from __future__ import annotations

from ..connection import PlatformConnection
from . import client


class InstagramConnection(PlatformConnection):
    def whoami(self, account):
        me = client.for_account(account).me()  # renews the 60-day token when it is due
        return str(me.get("username") or ""), str(me.get("name") or ""), None
