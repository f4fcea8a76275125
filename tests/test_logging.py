"""OAuth secrets never reach the logs, even with LOG_LEVEL=DEBUG."""

import logging

import requests
from allauth.socialaccount.providers.oauth.oauth1_auth import OAuth1 as AllauthOAuth1
from requests_oauthlib import OAuth1


def test_signing_an_oauth1_request_logs_no_token_or_verifier(caplog):
    caplog.set_level(logging.DEBUG)  # the root logger at DEBUG, as LOG_LEVEL=DEBUG sets it
    for auth_class in (AllauthOAuth1, OAuth1):
        auth = auth_class(
            "consumer-key", "consumer-secret", resource_owner_key="REQUEST-TOKEN-123", verifier="VERIFIER-456"
        )
        requests.Request("POST", "https://api.x.com/oauth/access_token", auth=auth).prepare()
    assert "REQUEST-TOKEN-123" not in caplog.text
    assert "VERIFIER-456" not in caplog.text
