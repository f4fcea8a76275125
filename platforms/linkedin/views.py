"""LinkedIn's pages: the connect page (one button that starts allauth's openid_connect sign-in, a
POST so a link cannot start it) and, after it, the choice of pages to connect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from allauth.socialaccount.adapter import get_adapter

from socials.models import Account

from ..views import _client_only, _reconnecting
from . import accounts
from .client import Page
from .connect import PAGES_KEY, PROVIDER_ID
from .forms import PagesForm


@login_required
@require_http_methods(["GET"])
def linkedin_connect(request: HttpRequest) -> HttpResponse:
    _client_only(request)
    account = _reconnecting(request, "linkedin")
    member = accounts.administrator(account) if account else None
    return render(request, "platforms/linkedin_connect.html", {
        "account": account, "member": member if member != account else None,
        "configured": bool(get_adapter(request).list_apps(request, provider=PROVIDER_ID)),
        "login_url": reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}),
    })


@login_required
@require_http_methods(["GET", "POST"])
def linkedin_pages(request: HttpRequest) -> HttpResponse:
    _client_only(request)
    offered = request.session.get(PAGES_KEY) or {}
    member = Account.objects.filter(pk=offered.get("member"), user=request.user, provider="linkedin",
                                    state=Account.State.CONNECTED).first()
    if member is None:
        messages.error(request, "Connect your LinkedIn profile first: the pages you administer are listed after it.")
        return redirect("socials:accounts")
    pages = offered["pages"]
    if request.method == "POST" and request.POST.get("skip"):
        request.session.pop(PAGES_KEY, None)
        return redirect("socials:accounts")
    if request.method == "POST":
        form = PagesForm(request.POST, pages=pages)
        if form.is_valid():
            chosen = [Page(**p) for p in pages if p["id"] in form.cleaned_data["pages"]]
            try:
                connected = [accounts.connect_page(member, page).account for page in chosen]
            except ValidationError as exc:
                form.add_error("pages", " ".join(exc.messages))
            else:
                request.session.pop(PAGES_KEY, None)
                messages.success(request, "Connected LinkedIn pages: " + ", ".join(a.name for a in connected) + ".")
                return redirect("socials:accounts")
    else:
        urns = {f"urn:li:organization:{p['id']}" for p in pages}
        already = Account.objects.filter(user=request.user, provider="linkedin", provider_account_id__in=urns
                                         ).exclude(state=Account.State.DISCONNECTED)
        form = PagesForm(pages=pages, initial={"pages": [a.provider_account_id.rsplit(":", 1)[1] for a in already]})
    return render(request, "platforms/linkedin_pages.html", {"form": form, "member": member})
