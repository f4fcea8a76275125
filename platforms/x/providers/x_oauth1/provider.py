from django.http import HttpRequest

from allauth.socialaccount.providers.twitter.provider import TwitterProvider

from ..connect_only import refuse_unless_connecting
from .views import XOAuth1Adapter


class XOAuth1Provider(TwitterProvider):
    """allauth's X OAuth 1.0a provider (same id), pointed at settings' URLs; connect only."""

    oauth_adapter_class = XOAuth1Adapter

    def get_auth_url(self, request: HttpRequest, action):
        return None  # the adapter's authorize_url, from settings

    def extract_common_fields(self, data):
        # v2 /2/users/me names it `username`, v1.1 `screen_name`.
        return {"username": data.get("username") or data.get("screen_name"), "name": data.get("name")}

    def redirect_from_request(self, request: HttpRequest):
        return refuse_unless_connecting(request) or super().redirect_from_request(request)


provider_classes = [XOAuth1Provider]
