from django.http import HttpRequest

from allauth.socialaccount.providers.twitter_oauth2.provider import TwitterOAuth2Provider

from ..connect_only import refuse_unless_connecting
from .views import XOAuth2Adapter


class XOAuth2Provider(TwitterOAuth2Provider):
    """allauth's X OAuth 2.0 provider (same id), pointed at settings' URLs; connect only."""

    oauth2_adapter_class = XOAuth2Adapter

    def redirect_from_request(self, request: HttpRequest):
        return refuse_unless_connecting(request) or super().redirect_from_request(request)


provider_classes = [XOAuth2Provider]
