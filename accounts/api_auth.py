"""POST /api/auth/token and /api/auth/token/refresh: simplejwt's views with two additions.

- Getting a token checks the password through accounts/login.py, so the API shares the login
  page's brute-force limit (429 once it is used up).
- Tokens carry a fingerprint of the password hash (simplejwt's CHECK_REVOKE_TOKEN); access tokens
  are checked on every request by simplejwt, refresh tokens here. A password change therefore
  ends every token issued before it. Refresh tokens rotate, and a used one is blacklisted
  (simplejwt's token_blacklist app), so each works once.
"""

from rest_framework import exceptions, serializers
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from . import login
from .models import User


class TokenObtainSerializer(jwt_serializers.TokenObtainPairSerializer):
    def validate(self, attrs):
        request = self.context["request"]
        try:
            user = login.authenticate(request, login=attrs["username"], password=attrs["password"])
        except login.TooManyLoginAttempts as exc:
            raise exceptions.Throttled(detail=str(exc)) from exc
        if not api_settings.USER_AUTHENTICATION_RULE(user):
            raise exceptions.AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account")
        self.user = user
        refresh = self.get_token(user)
        return {"refresh": str(refresh), "access": str(refresh.access_token)}


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    default_error_messages = {
        "no_active_account": "No active account found for the given token.",
        "password_changed": "The password was changed since this token was issued: get a new one.",
    }

    def validate(self, attrs):
        refresh = RefreshToken(attrs["refresh"])  # checks signature, expiry and the blacklist
        user = User.objects.filter(pk=refresh.payload.get(api_settings.USER_ID_CLAIM)).first()
        if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
            raise exceptions.AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account")
        if refresh.payload.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
            raise exceptions.AuthenticationFailed(self.error_messages["password_changed"], "password_changed")
        return super().validate(attrs)


class TokenObtainView(jwt_views.TokenObtainPairView):
    """Get an access token (short-lived) and a refresh token for a username and password."""

    serializer_class = TokenObtainSerializer


class TokenRefreshView(jwt_views.TokenRefreshView):
    """Trade a refresh token for a new access token and a new refresh token; the old one stops working."""

    serializer_class = TokenRefreshSerializer
