"""allauth's `facebook` provider (same id), pointed at settings' URLs and asking for the Pages
scopes; connect only. allauth logs the person in with Facebook Login; the page tokens are read
after that (platforms/facebook/views.py), since allauth's provider does not fetch them. Swapped in
with allauth's own `provider_class` setting, as X's providers are (platforms/x/providers/)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.facebook.provider import FacebookProvider

from .views import FacebookPagesAdapter


class FacebookPagesProvider(FacebookProvider):
    oauth2_adapter_class = FacebookPagesAdapter

    def get_default_scope(self) -> list[str]:
        return settings.FACEBOOK_SCOPES.split(",")

    def redirect_from_request(self, request: HttpRequest):
        if not request.user.is_authenticated:
            return redirect_to_login(reverse("platforms:facebook-connect"))
        process = request.POST.get("process") or request.GET.get("process")
        if not request.user.is_client or process != AuthProcess.CONNECT:
            messages.error(request, "Facebook Pages are connected by clients from the accounts page; "
                                    "nobody signs in to SocialHub with Facebook.")
            return HttpResponseRedirect(reverse("socials:accounts"))
        return super().redirect_from_request(request)


provider_classes = [FacebookPagesProvider]
