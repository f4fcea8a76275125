"""Talking to the Mastodon and Bluesky sandbox's control API."""

import requests


def control(sb, path: str, **body) -> dict:
    answer = requests.post(f"{sb.url}/_sandbox/{path}", json=body, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def fault(sb, route: str, **fields) -> None:
    """Queue one forced answer for a route ("mastodon.statuses", "bluesky.createRecord", ...)."""
    control(sb, "faults", route=route, **fields)


def linkedin_app(settings, sb) -> None:
    """SocialHub's LinkedIn app, as allauth's openid_connect provider reads it, at the sandbox."""
    settings.LINKEDIN_OIDC_URL = f"{sb.url}/oauth"
    providers = {name: dict(conf) for name, conf in settings.SOCIALACCOUNT_PROVIDERS.items()}
    providers["openid_connect"] = {"APPS": [{
        "provider_id": "linkedin", "name": "LinkedIn", "client_id": "li-client", "secret": "li-secret",
        "settings": {"server_url": settings.LINKEDIN_OIDC_URL, "scope": settings.LINKEDIN_SCOPES.split()}}]}
    settings.SOCIALACCOUNT_PROVIDERS = providers


def read(channel):
    """A channel's metrics as stored now."""
    channel.refresh_from_db()
    return channel.metrics
