"""OAuth 2.0 with PKCE (allauth's `twitter_oauth2`), every URL from settings."""

from django.conf import settings

from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.twitter_oauth2.views import TwitterOAuth2Adapter


class XOAuth2Adapter(TwitterOAuth2Adapter):
    @property
    def authorize_url(self) -> str:
        return settings.X_OAUTH2_AUTHORIZE_URL

    @property
    def access_token_url(self) -> str:
        return f"{settings.X_API_URL}/2/oauth2/token"

    @property
    def profile_url(self) -> str:
        return f"{settings.X_API_URL}/2/users/me"

    def parse_token(self, data):
        token = super().parse_token(data)
        # allauth's SocialToken has no scope field: carry what X granted over to socials.Account.
        token.granted_scope = str(data.get("scope") or "")
        return token


oauth2_login = OAuth2LoginView.adapter_view(XOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(XOAuth2Adapter)
