"""allauth builds a provider's login and callback URLs from its package (accounts/facebook/...)."""

from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from .provider import FacebookPagesProvider

urlpatterns = default_urlpatterns(FacebookPagesProvider)
