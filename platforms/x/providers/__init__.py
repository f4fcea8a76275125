"""allauth's X providers, with every URL read from settings (X_API_URL, X_OAUTH2_AUTHORIZE_URL).

allauth hard-codes api.x.com and x.com in its `twitter` and `twitter_oauth2` adapters. These
subclasses change only the URLs (and, for OAuth 1.0a, read the profile from /2/users/me instead of
the retired v1.1 verify_credentials), so the whole connect flow also runs against the X sandbox.
They are swapped in with allauth's own `provider_class` setting in SOCIALACCOUNT_PROVIDERS; each
package has a `urls.py` because allauth builds a provider's login/callback URLs from its package.
"""
