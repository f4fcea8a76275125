"""Test connection for Mastodon and Bluesky accounts: ask the platform who the token belongs to,
and say whether it works, with the rate-limit budget where the platform reports one."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from mastodon.errors import MastodonError

from socials.error_kinds import RateLimit
from socials.models import Account
from socials.publishers import PublishError
from socials.services import ConnectionReport

from . import common
from .registry import account_label, platform_label


def test_connection(account: Account) -> ConnectionReport:
    label = platform_label(account.provider)
    report = dict(account_id=account.pk, auth_type=account.token_type, authentication=account.get_token_type_display(),
                  username=account.username, expires_at=None)
    if account.state == Account.State.DISCONNECTED:
        return ConnectionReport(works=False, can_post=False, error_kind="disconnected",
                                message=f"This {label} account is disconnected: connect it again.", **report)
    try:
        username, name, rate_limit = _ask(account)
    except PublishError as exc:
        Account.objects.filter(pk=account.pk).update(last_checked_at=timezone.now())
        limit = RateLimit(limit=None, remaining=0, reset_at=exc.retry_at) if exc.kind == "rate_limited" else None
        return ConnectionReport(works=False, can_post=False, message=exc.user_message, error_kind=exc.kind,
                                rate_limit=limit, **report)
    changes = {"last_checked_at": timezone.now(), "username": username or account.username, "name": name or account.name}
    if account.state == Account.State.RECONNECT_NEEDED:
        changes.update(state=Account.State.CONNECTED, state_message="")
    Account.objects.filter(pk=account.pk).update(**changes)
    account.username = changes["username"]
    report["username"] = account.username
    return ConnectionReport(works=True, can_post=True, rate_limit=rate_limit,
                            message=f"The {label} connection of {account_label(account)} works.", **report)


def _ask(account: Account) -> tuple[str, str, RateLimit | None]:
    if account.provider == "instagram":
        from .instagram import client as instagram

        me = instagram.for_account(account).me()  # renews the 60-day token when it is due
        return str(me.get("username") or ""), str(me.get("name") or ""), None
    if account.provider == "linkedin":
        from .linkedin import accounts
        from .linkedin.client import LinkedIn

        if account.expires_at and account.expires_at <= timezone.now():
            raise accounts.reconnect(account, "LinkedIn's 60-day access ended: reconnect the account")
        api = LinkedIn(account.oauth2_access_token, account=account)
        if accounts.is_page(account):  # the member's token, asked about the page
            return account.username, api.page(account.provider_account_id.rsplit(":", 1)[1]).name, None
        return account.username, str(api.userinfo().get("name") or ""), None
    if account.provider == "facebook":
        from .facebook.client import Graph

        page = Graph(account.oauth2_access_token, account=account).page(account.provider_account_id)
        return str(page.get("username") or account.username), str(page.get("name") or ""), None
    if account.provider == "mastodon":
        from .mastodon import client

        client.limits(account.server_url)  # the instance's limits, read again when a day old
        api = client.account_api(account)
        try:
            me = api.account_verify_credentials()
        except MastodonError as exc:
            raise client.error(exc, doing="checking the connection", account=account, client=api) from exc
        reset = dt.datetime.fromtimestamp(api.ratelimit_reset, tz=dt.UTC) if api.ratelimit_reset else None
        limit = RateLimit(limit=api.ratelimit_limit, remaining=api.ratelimit_remaining, reset_at=reset)
        return str(me.get("username") or ""), str(me.get("display_name") or ""), limit
    from .bluesky import client

    api = client.account_client(account)
    try:
        session = api.com.atproto.server.get_session()
    except client.FAILURES as exc:
        raise client.error(exc, doing="checking the connection", account=account) from exc
    return session.handle, account.name, None
