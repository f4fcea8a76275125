"""Connect flows of our own: Mastodon per instance (the app is registered on the instance the
first time, then OAuth), Bluesky with its OAuth (bluesky/oauth.py) or an app password. (LinkedIn
connects through allauth: see linkedin/connect.py.) All end in socials.services.connect_account,
like X's, so reconnecting releases held posts the same way."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from socialhub.parsing import parse_id
from socials import services
from socials.models import Account
from socials.publishers import PublishError

from .bluesky import client as bluesky
from .bluesky import identity as bluesky_identity
from .bluesky import oauth as bluesky_oauth
from .forms import BlueskyAppPasswordForm, BlueskyHandleForm, MastodonInstanceForm
from .instagram import client as instagram
from .mastodon import client as mastodon
from .models import MastodonApp

log = logging.getLogger(__name__)
SESSION_KEY = "mastodon_connect"


def _client_only(request: HttpRequest) -> None:
    if not request.user.is_client:
        raise PermissionDenied("Only clients connect their own accounts.")


def _reconnecting(request: HttpRequest, provider: str) -> Account | None:
    pk = parse_id(request.GET.get("account") or request.POST.get("account"))
    if pk is None:
        return None
    return Account.objects.filter(user=request.user, provider=provider, pk=pk).first()


def _connected(request: HttpRequest, result: services.Connected) -> HttpResponse:
    verb = "Connected" if result.created else "Reconnected"
    messages.success(request, f"{verb} {result.account.platform_label} account {result.account}.")
    return redirect("socials:accounts")


@login_required
@require_http_methods(["GET", "POST"])
def mastodon_connect(request: HttpRequest) -> HttpResponse:
    _client_only(request)
    account = _reconnecting(request, "mastodon")
    if request.method == "POST":
        form = MastodonInstanceForm(request.POST)
        if form.is_valid():
            instance = form.cleaned_data["instance"]
            redirect_uri = request.build_absolute_uri(reverse("platforms:mastodon-callback"))
            try:
                app = mastodon.app_for(instance, redirect_uri)
                state = secrets.token_urlsafe(24)
                url = mastodon.authorize_url(app, state=state)
            except PublishError as exc:
                form.add_error("instance", f"{instance} did not answer as a Mastodon server: {exc.user_message}")
            else:
                request.session[SESSION_KEY] = {"state": state, "instance": instance}
                # A link, not a redirect: browsers check a form's redirects against the page's CSP
                # form-action, which cannot list every Mastodon server there is.
                return render(request, "platforms/mastodon_continue.html", {
                    "authorize_url": url, "host": instance.split("://", 1)[1], "account": account})
    else:
        initial = account.server_url if account else settings.MASTODON_INSTANCE_HINT
        form = MastodonInstanceForm(initial={"instance": initial})
    return render(request, "platforms/mastodon_connect.html", {"form": form, "account": account})


@login_required
def mastodon_callback(request: HttpRequest) -> HttpResponse:
    _client_only(request)
    started = request.session.pop(SESSION_KEY, None)
    if not started or not secrets.compare_digest(str(request.GET.get("state", "")), started["state"]):
        messages.error(request, "That Mastodon sign-in was not started here, or has already been used: connect again.")
        return redirect("socials:accounts")
    if request.GET.get("error"):
        messages.error(request, "You did not approve SocialHub on Mastodon: nothing was connected.")
        return redirect("socials:accounts")
    app = MastodonApp.objects.filter(instance_url=started["instance"]).first()
    code = request.GET.get("code", "")
    if app is None or not code:
        messages.error(request, "Mastodon sent no authorization code: connect again.")
        return redirect("socials:accounts")
    try:
        token, me = mastodon.exchange_code(app, code)
        result = services.connect_account(
            user=request.user, provider="mastodon", server_url=app.instance_url,
            provider_account_id=str(me.get("id") or ""), username=str(me.get("username") or ""),
            name=str(me.get("display_name") or ""), token_type=Account.TokenType.OAUTH2_USER,
            scope=app.scopes, oauth2_access_token=token,
        )
    except PublishError as exc:
        messages.error(request, f"Connecting Mastodon failed: {exc.user_message}")
        return redirect("socials:accounts")
    except ValidationError as exc:
        messages.error(request, "Connecting Mastodon failed: " + " ".join(exc.messages))
        return redirect("socials:accounts")
    mastodon.limits(app.instance_url)  # read the instance's limits now, for the composer
    return _connected(request, result)


BLUESKY_SESSION_KEY = "bluesky_connect"


def bluesky_client_metadata(request: HttpRequest) -> HttpResponse:
    """SocialHub's OAuth client metadata: its URL is the client_id Bluesky's servers fetch."""
    if not bluesky_oauth.configured():
        return JsonResponse({"success": False, "message": "Sign in with Bluesky is not set up here.", "details": {}},
                            status=404)
    return JsonResponse(bluesky_oauth.client_metadata())


@login_required
@require_http_methods(["GET", "POST"])
def bluesky_connect(request: HttpRequest) -> HttpResponse:
    """"Sign in with Bluesky" (OAuth) first; an app password is the fallback."""
    _client_only(request)
    account = _reconnecting(request, "bluesky")
    handle = account.username if account else ""
    oauth_form = BlueskyHandleForm(prefix="oauth", initial={"handle": handle})
    form = BlueskyAppPasswordForm(initial={"handle": handle})
    if request.method == "POST" and "oauth-handle" in request.POST and bluesky_oauth.configured():
        oauth_form = BlueskyHandleForm(request.POST, prefix="oauth")
        if oauth_form.is_valid():
            try:
                url, pending = bluesky_oauth.start(oauth_form.cleaned_data["handle"])
            except PublishError as exc:
                oauth_form.add_error("handle", exc.user_message)
            else:
                request.session[BLUESKY_SESSION_KEY] = pending
                # A link, not a redirect, for the page's CSP form-action (as for Mastodon).
                return render(request, "platforms/bluesky_continue.html", {
                    "authorize_url": url, "host": pending["issuer"].split("://", 1)[1], "account": account})
    elif request.method == "POST":
        form = BlueskyAppPasswordForm(request.POST)
        if form.is_valid():
            who = None
            try:
                who = bluesky_identity.resolve(form.cleaned_data["handle"])
                session = bluesky.sign_in(who, form.cleaned_data["app_password"])
                result = services.connect_account(
                    user=request.user, provider="bluesky", server_url=session["pds"],
                    provider_account_id=session["did"], username=session["handle"], name=session["name"],
                    token_type=Account.TokenType.APP_PASSWORD, expires_at=bluesky.expires_at(session["access_jwt"]),
                    oauth2_access_token=session["access_jwt"], oauth2_refresh_token=session["refresh_jwt"],
                )
            except PublishError as exc:
                form.add_error("handle" if who is None else None, exc.user_message)  # the handle did not resolve
            except ValidationError as exc:  # the server's answer lacked what an account needs
                form.add_error(None, "Connecting Bluesky failed: " + " ".join(exc.messages))
            else:
                return _connected(request, result)
    return render(request, "platforms/bluesky_connect.html", {
        "oauth_form": oauth_form, "form": form, "account": account, "oauth": bluesky_oauth.configured()})


@login_required
def bluesky_callback(request: HttpRequest) -> HttpResponse:
    _client_only(request)
    pending = request.session.pop(BLUESKY_SESSION_KEY, None)
    if not pending or not secrets.compare_digest(str(request.GET.get("state", "")), pending["state"]):
        messages.error(request, "That Bluesky sign-in was not started here, or has already been used: connect again.")
        return redirect("socials:accounts")
    if request.GET.get("error"):
        messages.error(request, "You did not approve SocialHub on Bluesky: nothing was connected.")
        return redirect("socials:accounts")
    try:
        session = bluesky_oauth.finish(pending, code=request.GET.get("code", ""), iss=request.GET.get("iss", ""))
        result = services.connect_account(
            user=request.user, provider="bluesky", server_url=session["pds"], provider_account_id=session["did"],
            username=session["handle"], name=bluesky.display_name(bluesky.oauth_client(session), session["did"]),
            token_type=Account.TokenType.OAUTH2_USER,
            expires_at=session["expires_at"], scope=session["scope"],
            oauth2_access_token=session["access_token"], oauth2_refresh_token=session["refresh_token"],
            # The DPoP key the tokens are bound to: the account's own secret, encrypted beside them.
            oauth2_client_secret=session["dpop_key"],
        )
    except PublishError as exc:
        messages.error(request, f"Connecting Bluesky failed: {exc.user_message}")
        return redirect("socials:accounts")
    except ValidationError as exc:
        messages.error(request, "Connecting Bluesky failed: " + " ".join(exc.messages))
        return redirect("socials:accounts")
    return _connected(request, result)


INSTAGRAM_SESSION_KEY = "instagram_connect"


@login_required
@require_http_methods(["GET", "POST"])
def instagram_connect(request: HttpRequest) -> HttpResponse:
    """Instagram Login (no Facebook Page needed): a page with one button, then Instagram's consent.
    allauth's instagram provider targets the retired Basic Display API, so this flow is our own."""
    _client_only(request)
    account = _reconnecting(request, "instagram")
    configured = bool(settings.INSTAGRAM_CLIENT_ID and settings.INSTAGRAM_CLIENT_SECRET)
    if request.method == "POST" and configured:
        state = secrets.token_urlsafe(24)
        request.session[INSTAGRAM_SESSION_KEY] = state
        redirect_uri = request.build_absolute_uri(reverse("platforms:instagram-callback"))
        return redirect(instagram.authorize_url(state=state, redirect_uri=redirect_uri))
    return render(request, "platforms/instagram_connect.html", {"account": account, "configured": configured})


@login_required
def instagram_callback(request: HttpRequest) -> HttpResponse:
    _client_only(request)
    state = request.session.pop(INSTAGRAM_SESSION_KEY, None)
    if not state or not secrets.compare_digest(str(request.GET.get("state", "")), state):
        messages.error(request, "That Instagram sign-in was not started here, or has already been used: connect again.")
        return redirect("socials:accounts")
    if request.GET.get("error") or not request.GET.get("code"):
        messages.error(request, "You did not approve SocialHub on Instagram: nothing was connected.")
        return redirect("socials:accounts")
    redirect_uri = request.build_absolute_uri(reverse("platforms:instagram-callback"))
    try:
        token = instagram.exchange_code(request.GET["code"], redirect_uri)
        result = services.connect_account(
            user=request.user, provider="instagram", provider_account_id=token["user_id"],
            username=token["username"], name=token["name"], token_type=Account.TokenType.OAUTH2_USER,
            oauth2_access_token=token["access_token"], expires_at=token["expires_at"], scope=token["scope"],
        )
    except PublishError as exc:
        messages.error(request, f"Connecting Instagram failed: {exc.user_message}")
        return redirect("socials:accounts")
    except ValidationError as exc:
        messages.error(request, "Connecting Instagram failed: " + " ".join(exc.messages))
        return redirect("socials:accounts")
    return _connected(request, result)
