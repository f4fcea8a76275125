"""OAuth 1.0a (allauth's `twitter`), every URL from settings.

allauth reads the profile from v1.1 account/verify_credentials; this reads v2 /2/users/me, signed
with the new user token, through our X client.
"""

from django.conf import settings

from allauth.socialaccount.providers.oauth.client import OAuthError
from allauth.socialaccount.providers.oauth.views import OAuthCallbackView, OAuthLoginView
from allauth.socialaccount.providers.twitter.views import TwitterOAuthAdapter

from platforms.x.client import OAuth1Credentials, XClient, XError


class XOAuth1Adapter(TwitterOAuthAdapter):
    @property
    def request_token_url(self) -> str:
        return f"{settings.X_API_URL}/oauth/request_token"

    @property
    def access_token_url(self) -> str:
        return f"{settings.X_API_URL}/oauth/access_token"

    @property
    def authorize_url(self) -> str:
        # /oauth/authorize asks every time, so a client can pick which X account to connect.
        return f"{settings.X_API_URL}/oauth/authorize"

    def complete_login(self, request, app, token, **kwargs):
        credentials = OAuth1Credentials(
            consumer_key=app.client_id,
            consumer_secret=app.secret,
            token=token.token,
            token_secret=token.token_secret,
        )
        try:
            with XClient(credentials, api_url=settings.X_API_URL) as client:
                me = client.get_me(user_fields="name,username,profile_image_url,verified_type,subscription_type")
        except XError as exc:
            raise OAuthError(exc.user_message) from exc
        return self.get_provider().sociallogin_from_response(request, me)


oauth_login = OAuthLoginView.adapter_view(XOAuth1Adapter)
oauth_callback = OAuthCallbackView.adapter_view(XOAuth1Adapter)
