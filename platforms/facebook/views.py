"""Connecting Facebook Pages. allauth's facebook provider runs Facebook Login (its URLs from
settings, through FacebookPagesAdapter); the adapter (socials.adapters) hands the person's token to
`after_login`, which exchanges it for a long-lived one and reads the pages the person manages with
their page tokens (GET /me/accounts). The client then ticks the pages to connect: each becomes one
socials.Account holding its page token, encrypted. The person's own token is not kept."""

from __future__ import annotations

import json
import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from allauth.socialaccount.providers.facebook.views import FacebookOAuth2Adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from socialhub.parsing import parse_id
from socials import services
from socials.fields import decrypt, encrypt
from socials.models import Account
from socials.publishers import PublishError

from .client import Graph, graph_url
from .forms import PagesForm

log = logging.getLogger(__name__)
SESSION_KEY = "facebook_pages"
CHOICE_SECONDS = 15 * 60  # how long the pages read after sign-in may be chosen from


class FacebookPagesAdapter(FacebookOAuth2Adapter):
    """allauth's Facebook Login with every URL from settings (FACEBOOK_DIALOG_URL, FACEBOOK_GRAPH_URL,
    FACEBOOK_API_VERSION) read when used, so tests and the sandbox can point it elsewhere."""

    @property
    def authorize_url(self) -> str:
        return f"{settings.FACEBOOK_DIALOG_URL}/{settings.FACEBOOK_API_VERSION}/dialog/oauth"

    @property
    def access_token_url(self) -> str:
        return graph_url("/oauth/access_token")

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        try:
            me = Graph(token.token).call("GET", "/me", doing="reading who signed in", params={"fields": "id,name"})
        except PublishError as exc:
            raise OAuth2Error(exc.user_message) from exc
        return self.get_provider().sociallogin_from_response(request, me)


oauth2_login = OAuth2LoginView.adapter_view(FacebookPagesAdapter)
oauth2_callback = OAuth2CallbackView.adapter_view(FacebookPagesAdapter)


def after_login(request: HttpRequest, sociallogin) -> HttpResponse:
    """Facebook Login is done: read the person's pages and let them choose which to connect."""
    try:
        user_token = Graph(sociallogin.token.token).long_lived()
        pages = Graph(user_token).managed_pages()
    except PublishError as exc:
        messages.error(request, f"Connecting Facebook failed: {exc.user_message}")
        return redirect("socials:accounts")
    # tasks lists what the person may do on the page; CREATE_CONTENT is what posting needs.
    postable = [p for p in pages
                if p.get("access_token") and "CREATE_CONTENT" in (p.get("tasks") or ["CREATE_CONTENT"])]
    if not postable:
        messages.error(request, "Facebook shows no Page you may post on (or SocialHub was not allowed to see "
                                "them): nothing was connected.")
        return redirect("socials:accounts")
    request.session[SESSION_KEY] = {
        "at": time.time(),
        "pages": [{"id": str(p["id"]), "name": str(p.get("name") or ""), "username": str(p.get("username") or "")}
                  for p in postable],
        "cannot": [str(p.get("name") or p["id"]) for p in pages if p not in postable],
        "tokens": encrypt(json.dumps({str(p["id"]): p["access_token"] for p in postable})),
    }
    return redirect("platforms:facebook-pages")


def _client_only(request: HttpRequest) -> None:
    if not request.user.is_client:
        raise PermissionDenied("Only clients connect their own accounts.")


@login_required
def facebook_connect(request: HttpRequest) -> HttpResponse:
    """A page with one button: a POST to allauth's Facebook Login, process=connect."""
    _client_only(request)
    pk = parse_id(request.GET.get("account"))
    account = Account.objects.filter(user=request.user, provider="facebook", pk=pk).first() if pk else None
    configured = bool(settings.FACEBOOK_APP_ID and settings.FACEBOOK_APP_SECRET)
    return render(request, "platforms/facebook_connect.html", {"account": account, "configured": configured})


@login_required
@require_http_methods(["GET", "POST"])
def facebook_pages(request: HttpRequest) -> HttpResponse:
    """Tick the pages to connect (those already connected are ticked): each is connected, or
    reconnected with its new page token."""
    _client_only(request)
    found = request.session.get(SESSION_KEY)
    if not found or time.time() - found["at"] > CHOICE_SECONDS:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, "That Facebook sign-in is over (or was not started here): connect again.")
        return redirect("socials:accounts")
    choices = [(p["id"], p["name"] or p["id"]) for p in found["pages"]]
    connected = set(Account.objects.filter(user=request.user, provider="facebook").exclude(
        state=Account.State.DISCONNECTED).values_list("provider_account_id", flat=True))
    form = PagesForm(request.POST if request.method == "POST" else None, choices=choices,
                     initial={"pages": [pid for pid, _ in choices if pid in connected]})
    if request.method == "POST" and form.is_valid():
        tokens = json.loads(decrypt(found["tokens"]))
        pages = {p["id"]: p for p in found["pages"]}
        try:
            for page_id in form.cleaned_data["pages"]:
                page = pages[page_id]
                result = services.connect_account(
                    user=request.user, provider="facebook", provider_account_id=page_id,
                    username=page["username"][:64], name=page["name"][:128], token_type=Account.TokenType.OAUTH2_USER,
                    oauth2_access_token=tokens[page_id], scope=settings.FACEBOOK_SCOPES,
                )
                verb = "Connected" if result.created else "Reconnected"
                messages.success(request, f"{verb} Facebook Page {result.account}.")
        except ValidationError as exc:
            messages.error(request, "Connecting Facebook failed: " + " ".join(exc.messages))
        request.session.pop(SESSION_KEY, None)
        return redirect("socials:accounts")
    return render(request, "platforms/facebook_pages.html", {"form": form, "cannot": found["cannot"]})
