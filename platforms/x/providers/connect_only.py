"""X is only ever *connected* to a signed-in client: it never logs anyone in or signs anyone up."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from allauth.socialaccount.providers.base import AuthProcess

NOT_A_LOGIN = "X accounts are connected from your X accounts page; you cannot sign in with X."
CLIENTS_ONLY = "Only clients connect their own X accounts."


def refuse_unless_connecting(request: HttpRequest) -> HttpResponse | None:
    """A response refusing to start an OAuth flow, or None when a client is connecting an account."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("socials:accounts"))
    if not request.user.is_client:
        messages.error(request, CLIENTS_ONLY)
        return HttpResponseRedirect(reverse("socials:accounts"))
    process = request.POST.get("process") or request.GET.get("process")
    if process != AuthProcess.CONNECT:
        messages.error(request, NOT_A_LOGIN)
        return HttpResponseRedirect(reverse("socials:accounts"))
    return None
