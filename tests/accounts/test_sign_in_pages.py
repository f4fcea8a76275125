"""Signing in: no dead end at a closed sign-up, and allauth's emails carry SITE_NAME and SITE_URL."""

import re

import pytest


def test_the_login_page_sends_newcomers_to_their_agency_not_to_the_closed_sign_up(client, db):
    page = client.get("/accounts/login/").content.decode()

    assert "ask them for an invitation" in page
    assert "sign up" not in page.lower() and "/accounts/signup/" not in page


def test_the_sign_up_page_says_where_accounts_come_from(client, db):
    page = client.get("/accounts/signup/").content.decode()

    assert "Accounts come from your agency" in page and "Sign Up Closed" not in page


@pytest.mark.parametrize("site_name, site_url", [("SocialHub", "http://127.0.0.1:8000"), ("Bloom Agency", "https://hub.bloom.example")])
def test_the_password_reset_email_is_branded_and_linked_from_settings(client, alice, mailoutbox, settings, site_name, site_url):
    settings.SITE_NAME, settings.SITE_URL = site_name, site_url

    response = client.post("/accounts/password/reset/", {"email": alice.email})

    assert response.status_code == 302
    (email,) = mailoutbox
    assert email.subject == f"[{site_name}] Password Reset Email"
    assert f"Hello from {site_name}!" in email.body
    assert "example.com" not in email.subject + email.body
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", email.body).group(0)
    assert link.startswith(f"{site_url}/accounts/password/reset/key/")
    # The link works: it leads to the form for a new password.
    path = link.removeprefix(site_url)
    assert client.get(path, follow=True).status_code == 200
