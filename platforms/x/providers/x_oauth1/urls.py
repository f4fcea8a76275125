from allauth.socialaccount.providers.oauth.urls import default_urlpatterns

from .provider import XOAuth1Provider

urlpatterns = default_urlpatterns(XOAuth1Provider)
