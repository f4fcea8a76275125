"""Fixtures for the X account tests: X's URLs and the project's X app, as settings give them."""

import pytest

API = "https://api.x.test"
AUTHORIZE = "https://x.test/i/oauth2/authorize"


def x_app_settings(settings, *, api_url: str, authorize_url: str) -> None:
    settings.X_API_URL, settings.X_OAUTH2_AUTHORIZE_URL = api_url, authorize_url
    settings.TWITTER_CLIENT_ID, settings.TWITTER_CLIENT_SECRET = "cid", "csecret"
    settings.TWITTER_CONSUMER_KEY, settings.TWITTER_CONSUMER_SECRET = "ckey", "csecret1"
    settings.TWITTER_BEARER_TOKEN = "app-bearer"
    providers = {name: dict(conf) for name, conf in settings.SOCIALACCOUNT_PROVIDERS.items()}
    providers["twitter_oauth2"]["APPS"] = [{"client_id": "cid", "secret": "csecret"}]
    providers["twitter"]["APPS"] = [{"client_id": "ckey", "secret": "csecret1"}]
    settings.SOCIALACCOUNT_PROVIDERS = providers


@pytest.fixture
def x_app(settings):
    """X at https://api.x.test with the project's OAuth 2.0 and OAuth 1.0a apps configured."""
    x_app_settings(settings, api_url=API, authorize_url=AUTHORIZE)
    return settings
