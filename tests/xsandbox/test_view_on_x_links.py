"""The app's "View on X" links lead to the sandbox's pages in sandbox mode (X_WEB_URL = the sandbox)."""
from __future__ import annotations

from types import SimpleNamespace

import requests

from platforms.x.publisher import XPublisher


def test_the_apps_post_link_opens_the_sandbox_page_of_the_post(sandbox, alice, settings):
    settings.X_WEB_URL = sandbox.url
    tweet_id = requests.post(f"{sandbox.url}/2/tweets", json={"text": "Spring sale & more"}, timeout=5,
                             headers={"Authorization": f"Bearer {alice['oauth2']['access_token']}"}).json()["data"]["id"]

    for account in (SimpleNamespace(username="alice_x"), SimpleNamespace(username="")):
        page = requests.get(XPublisher.url(account, tweet_id), timeout=5)
        assert page.status_code == 200
        assert "X sandbox" in page.text and "Spring sale &amp; more" in page.text
