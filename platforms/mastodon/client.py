"""Mastodon through Mastodon.py: the instance's app registration, OAuth, limits, and one error
mapping. Every instance is its own server, so the instance URL comes with every call (the one
typed in on connect, then the account's `server_url`).

Facts (mastodon/documentation, content/en/): apps.md (POST /api/v1/apps), oauth.md, statuses.md
(Idempotency-Key, kept up to 1 hour), media.md (POST /api/v2/media: 200 processed, 202 still
processing), instance.md (/api/v2/instance configuration), rate-limits.md (X-RateLimit-*).
"""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonIllegalArgumentError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from socials.publishers import PublishError

from .. import common
from ..models import MastodonApp

log = logging.getLogger(__name__)

LIMITS_FRESH_FOR = dt.timedelta(hours=24)


def scopes() -> list[str]:
    return settings.MASTODON_SCOPES.split()


def normalize_instance(value: str) -> str:
    """The instance as "https://host[:port]": a bare host gets https; paths and queries are
    refused, and so is http unless MASTODON_ALLOW_HTTP (the sandbox). Raises ValidationError."""
    value = (value or "").strip()
    if not value:
        raise ValidationError("Type your Mastodon server, for example mastodon.social.")
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError("That is not a server address. Type it like mastodon.social.")
    if parts.scheme == "http" and not settings.MASTODON_ALLOW_HTTP:
        raise ValidationError("Mastodon servers are reached over https: type https://… or just the host.")
    if parts.username or parts.password or parts.query or parts.fragment or parts.path.strip("/"):
        raise ValidationError("Type only the server's address, without a path: for example mastodon.social.")
    host = parts.hostname.lower() + (f":{parts.port}" if parts.port else "")
    return f"{parts.scheme}://{host}"


def api(instance_url: str, *, access_token: str | None = None, app: MastodonApp | None = None,
        timeout: float | None = None) -> Mastodon:
    """A Mastodon.py client for one instance. "throw": a 429 raises at once (the engine decides
    when to try again), never sleeps in a worker."""
    return Mastodon(
        api_base_url=instance_url,
        client_id=app.client_id if app else None,
        client_secret=app.client_secret if app else None,
        access_token=access_token,
        ratelimit_method="throw",
        request_timeout=timeout or settings.MASTODON_TIMEOUT,
        version_check_mode="none",
        user_agent=f"{settings.SITE_NAME} ({settings.SITE_URL})",
    )


def account_api(account, *, timeout: float | None = None) -> Mastodon:
    return api(account.server_url, access_token=account.oauth2_access_token, timeout=timeout)


# --- The instance's app and limits ------------------------------------------------------------


def app_for(instance_url: str, redirect_uri: str) -> MastodonApp:
    """SocialHub's app on this instance, registered there the first time (or again when our
    redirect address changed). Raises PublishError (the instance did not answer as Mastodon)."""
    app = MastodonApp.objects.filter(instance_url=instance_url).first()
    wanted = " ".join(scopes())
    if app and app.redirect_uri == redirect_uri and app.scopes == wanted:
        return app
    try:
        client_id, client_secret = Mastodon.create_app(
            settings.SITE_NAME, scopes=scopes(), redirect_uris=redirect_uri, website=settings.SITE_URL,
            api_base_url=instance_url, request_timeout=settings.MASTODON_TIMEOUT,
        )
    except MastodonError as exc:
        raise error(exc, doing=f"registering {settings.SITE_NAME} on {instance_url}") from exc
    app, _ = MastodonApp.objects.update_or_create(
        instance_url=instance_url,
        defaults={"client_id": client_id, "client_secret": client_secret, "redirect_uri": redirect_uri,
                  "scopes": wanted},
    )
    log.info("Registered the Mastodon app on %s", instance_url)
    return app


def authorize_url(app: MastodonApp, *, state: str) -> str:
    return api(app.instance_url, app=app).auth_request_url(
        redirect_uris=app.redirect_uri, scopes=scopes(), state=state, force_login=True,
        allow_http=settings.MASTODON_ALLOW_HTTP,
    )


def exchange_code(app: MastodonApp, code: str) -> tuple[str, dict]:
    """The access token for an authorization code, and who it belongs to. Raises PublishError."""
    client = api(app.instance_url, app=app)
    try:
        token = client.log_in(code=code, redirect_uri=app.redirect_uri, scopes=scopes(),
                              allow_http=settings.MASTODON_ALLOW_HTTP)
        me = client.account_verify_credentials()
    except MastodonIllegalArgumentError as exc:
        raise common.permanent("auth", "The Mastodon server refused the sign-in: try connecting again.") from exc
    except MastodonError as exc:
        raise error(exc, doing="finishing the sign-in") from exc
    return token, dict(me)


def revoke(account) -> bool:
    """Revoke the account's token at its instance (POST /oauth/revoke). False when that failed."""
    app = MastodonApp.objects.filter(instance_url=account.server_url).first()
    if not app or not account.oauth2_access_token:
        return False
    try:
        api(account.server_url, app=app, access_token=account.oauth2_access_token).revoke_access_token(
            allow_http=settings.MASTODON_ALLOW_HTTP
        )
    except MastodonError as exc:
        log.warning("Revoking a Mastodon token on %s failed (%s)", account.server_url, type(exc).__name__)
        return False
    return True


def limits(instance_url: str) -> MastodonApp | None:
    """The instance's stated limits, read from /api/v2/instance at most daily. None when no app
    is registered there yet (then Mastodon's defaults apply)."""
    app = MastodonApp.objects.filter(instance_url=instance_url).first()
    if app is None or (app.limits_read_at and app.limits_read_at > timezone.now() - LIMITS_FRESH_FOR):
        return app
    try:
        config = dict(api(instance_url).instance_v2().get("configuration") or {})
    except MastodonError as exc:
        log.warning("Reading the limits of %s failed (%s): keeping %s", instance_url, type(exc).__name__,
                    app.max_characters)
        return app
    statuses = dict(config.get("statuses") or {})
    app.max_characters = int(statuses.get("max_characters") or app.max_characters)
    app.max_media_attachments = int(statuses.get("max_media_attachments") or app.max_media_attachments)
    app.characters_reserved_per_url = int(statuses.get("characters_reserved_per_url") or app.characters_reserved_per_url)
    app.limits_read_at = timezone.now()
    app.save(update_fields=["max_characters", "max_media_attachments", "characters_reserved_per_url", "limits_read_at"])
    return app


# --- Errors -----------------------------------------------------------------------------------


def error(exc: Exception, *, doing: str, sent: bool = False, account=None, client: Mastodon | None = None) -> PublishError:
    """One Mastodon.py failure as the engine's kinds. `sent`: the request may have reached the
    instance and created something (a POST whose answer never came)."""
    if isinstance(exc, MastodonRatelimitError):
        reset = dt.datetime.fromtimestamp(client.ratelimit_reset, tz=dt.UTC) if client and client.ratelimit_reset else None
        when = common.not_before(reset)
        return common.wait_until(f"Mastodon's rate limit: waiting until {when:%H:%M} UTC", when)
    if isinstance(exc, MastodonNetworkError):
        timed_out = "timed out" in str(exc).lower() or "timeout" in str(exc).lower()
        return common.retry("timeout" if timed_out else "connection",
                            f"The Mastodon server did not answer while {doing}", outcome_unknown=sent)
    if isinstance(exc, MastodonUnauthorizedError):
        return common.reconnect(account, "Mastodon no longer accepts SocialHub's access: reconnect the account")
    if isinstance(exc, MastodonServerError):
        status = _status(exc)
        # A gateway's error says nothing of what the server behind it did.
        return common.retry("server", f"The Mastodon server failed ({status}) while {doing}",
                            outcome_unknown=sent and status in (502, 503, 504))
    if isinstance(exc, MastodonNotFoundError):
        return common.permanent("not_found", f"Mastodon answered 404 while {doing}: {_reason(exc)}")
    if isinstance(exc, MastodonAPIError):
        status = _status(exc)
        if status == 403:
            return common.reconnect(account, f"Mastodon refused SocialHub ({_reason(exc)}): reconnect the account")
        if status == 422:
            return common.permanent("bad_request", f"Mastodon refused the post: {_reason(exc)}")
        return common.permanent("bad_request", f"Mastodon answered {status or 'an error'} while {doing}: {_reason(exc)}")
    return common.permanent("bad_request", f"Mastodon could not be used while {doing}: {exc}")


def _status(exc: MastodonAPIError) -> int | None:
    return exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None


def _reason(exc: MastodonAPIError) -> str:
    """The instance's own words: the `error` of its JSON answer (Mastodon.py's 4th argument)."""
    if len(exc.args) > 3 and exc.args[3]:
        return str(exc.args[3])
    return str(exc.args[2]) if len(exc.args) > 2 else str(exc)
