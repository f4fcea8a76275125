"""Test connection and revoke for Mastodon: verify_credentials (GET /api/v1/accounts/verify_credentials)
with the instance's X-RateLimit-* budget; POST /oauth/revoke on disconnect."""

from __future__ import annotations

import datetime as dt

from mastodon.errors import MastodonError

from socials.error_kinds import RateLimit

from ..connection import PlatformConnection
from . import client


class MastodonConnection(PlatformConnection):
    def whoami(self, account):
        client.limits(account.server_url)  # the instance's limits, read again when a day old
        api = client.account_api(account)
        try:
            me = api.account_verify_credentials()
        except MastodonError as exc:
            raise client.error(exc, doing="checking the connection", account=account, client=api) from exc
        reset = dt.datetime.fromtimestamp(api.ratelimit_reset, tz=dt.UTC) if api.ratelimit_reset else None
        limit = RateLimit(limit=api.ratelimit_limit, remaining=api.ratelimit_remaining, reset_at=reset)
        return str(me.get("username") or ""), str(me.get("display_name") or ""), limit

    def revoke(self, account) -> bool:
        return client.revoke(account)
