from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from .provider import XOAuth2Provider

urlpatterns = default_urlpatterns(XOAuth2Provider)
