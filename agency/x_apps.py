"""Each client's own X app: registered by the client or their reseller, used by the connect flow
(socials.adapters asks `app_for`), and copied onto each account connected with it, so refresh,
revoke and posting (platforms.x.tokens) sign with that app; the platform's app stays the default."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from socialhub.errors import NotAllowed

from .models import ClientXApp

log = logging.getLogger(__name__)

OAUTH2_PROVIDER, OAUTH1_PROVIDER = "twitter_oauth2", "twitter"


def can_manage(actor: User, client: User) -> bool:
    """The client themself, a reseller with a task for them, or staff."""
    if not actor.is_authenticated or not client.is_client:
        return False
    if actor.is_platform_staff or actor.pk == client.pk:
        return True
    return actor.is_reseller and User.objects.clients_of(actor).filter(pk=client.pk).exists()


def callback_urls() -> dict[str, str]:
    """What to enter as callback URLs in the X developer console."""
    return {
        "OAuth 2.0": settings.SITE_URL + reverse(f"{OAUTH2_PROVIDER}_callback"),
        "OAuth 1.0a": settings.SITE_URL + reverse(f"{OAUTH1_PROVIDER}_callback"),
    }


@transaction.atomic
def save_app(
    *, actor: User, client: User, oauth2_client_id: str = "", oauth2_client_secret: str = "",
    oauth1_consumer_key: str = "", oauth1_consumer_secret: str = "",
) -> ClientXApp:
    """Register or change a client's X app. A blank secret keeps the one stored; a blank id or key
    removes that half (with its secret). Raises NotAllowed or ValidationError."""
    if not can_manage(actor, client):
        raise NotAllowed("You cannot manage this client's X app.")
    app = ClientXApp.objects.select_for_update().filter(client=client).first() or ClientXApp(client=client)
    oauth2_client_id, oauth1_consumer_key = oauth2_client_id.strip(), oauth1_consumer_key.strip()
    problems = {}
    if oauth2_client_id:
        secret = oauth2_client_secret.strip() or (app.oauth2_client_secret if app.oauth2_client_id else "")
        if not secret:
            problems["oauth2_client_secret"] = ["Give the client secret that goes with this client ID."]
        app.oauth2_client_id, app.oauth2_client_secret = oauth2_client_id, secret
    elif oauth2_client_secret.strip():
        problems["oauth2_client_id"] = ["Give the client ID that goes with this secret."]
    else:
        app.oauth2_client_id = app.oauth2_client_secret = ""
    if oauth1_consumer_key:
        secret = oauth1_consumer_secret.strip() or (app.oauth1_consumer_secret if app.oauth1_consumer_key else "")
        if not secret:
            problems["oauth1_consumer_secret"] = ["Give the API key secret that goes with this API key."]
        app.oauth1_consumer_key, app.oauth1_consumer_secret = oauth1_consumer_key, secret
    elif oauth1_consumer_secret.strip():
        problems["oauth1_consumer_key"] = ["Give the API key that goes with this secret."]
    else:
        app.oauth1_consumer_key = app.oauth1_consumer_secret = ""
    if problems:
        raise ValidationError(problems)
    app.updated_by = actor
    app.save()
    log.info("X app of client %s saved by %s (OAuth 2.0: %s, OAuth 1.0a: %s)", client.pk, actor.pk, app.has_oauth2, app.has_oauth1)
    return app


def _app_of(user) -> ClientXApp | None:
    if not (user and user.is_authenticated and user.is_client):
        return None
    return ClientXApp.objects.filter(client=user).first()


def app_for(user, provider: str | None):
    """The allauth SocialApp (unsaved) for this client's own app and provider, or None."""
    from allauth.socialaccount.models import SocialApp

    app = _app_of(user)
    if app is None:
        return None
    if provider == OAUTH2_PROVIDER and app.has_oauth2:
        return SocialApp(provider=provider, name="Client's X app", client_id=app.oauth2_client_id, secret=app.oauth2_client_secret)
    if provider == OAUTH1_PROVIDER and app.has_oauth1:
        return SocialApp(provider=provider, name="Client's X app", client_id=app.oauth1_consumer_key, secret=app.oauth1_consumer_secret)
    return None


def account_fields(user, provider: str) -> dict:
    """The app credentials to keep on an account connected now (empty: the platform's app)."""
    social_app = app_for(user, provider)
    if social_app is None:
        return {}
    if provider == OAUTH2_PROVIDER:
        return {"oauth2_client_id": social_app.client_id, "oauth2_client_secret": social_app.secret}
    return {"oauth1_consumer_key": social_app.client_id, "oauth1_consumer_secret": social_app.secret}
