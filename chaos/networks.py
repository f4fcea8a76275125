"""The networks a chaos run publishes to, one row each: how an account is made in the network's
sandbox, what the sandbox holds after the run, and whether the network takes threads.

A network joins the run with one row in NETWORKS; the run counts duplicates, lost and falsely
failed posts for each row the same way. Every text starts "Chaos post <n>" (a thread's later parts
"Chaos post <n> part <k>"), so each post on a network is counted for its post and part however the
network rewrote the rest (X's t.co links and escapes, Mastodon's HTML, LinkedIn's escaping).
A network that takes only posts with an image (Instagram) gets the posts that carry one; it
fetches the image itself from the app's signed link (SITE_URL, served by the run's own site).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from bench import harness


@dataclass
class Sandboxes:
    x: harness.Sandbox  # python -m xsandbox
    platforms: harness.Sandbox | None = None  # python -m platforms.sandbox


@dataclass(frozen=True)
class Network:
    provider: str  # socials.Account.provider
    label: str
    threads: bool  # reply chains: threads go here too (else a thread's channels skip this network)
    long_posts: bool  # takes X Premium's long posts; other networks get the short text as their own
    # (sandboxes, client, i) -> the client's account there, registered in its sandbox, not saved yet
    account: Callable
    # sandboxes -> [(text, remote id)] of every post the network holds (a thread's parts each)
    posts: Callable[[Sandboxes], list[tuple[str, str]]]
    needs_image: bool = False  # takes only posts with an image (the others skip this network)


def _x_account(sb: Sandboxes, client, i: int):
    return harness.x_account(sb.x, client, premium=i % 3 == 0)  # every third account is Premium


def _x_posts(sb: Sandboxes) -> list[tuple[str, str]]:
    return [(t["text"], t["id"]) for t in sb.x.get("tweets")["data"] if not t["deleted"]]


def _mastodon_account(sb: Sandboxes, client, i: int):
    from socials.models import Account

    user = sb.platforms.post("mastodon/users", username=f"{client.username}_m")
    return Account(user=client, provider="mastodon", server_url=sb.platforms.url, provider_account_id=user["id"],
                   username=user["username"], token_type=Account.TokenType.OAUTH2_USER,
                   oauth2_access_token=user["token"])


def _mastodon_posts(sb: Sandboxes) -> list[tuple[str, str]]:
    from platforms.mastodon.publisher import plain_text

    return [(plain_text(s["content"]), s["id"]) for s in sb.platforms.get("mastodon/statuses")]


def _bluesky_account(sb: Sandboxes, client, i: int):
    from platforms.bluesky import client as bluesky_client
    from platforms.bluesky import identity
    from socials.models import Account

    handle, password = f"{client.username}.bsky.test", f"chaos-{i:04d}-app-pass"
    sb.platforms.post("bluesky/users", handle=handle, app_password=password)
    session = bluesky_client.sign_in(identity.resolve(handle), password)  # as the connect page does
    return Account(user=client, provider="bluesky", server_url=session["pds"], provider_account_id=session["did"],
                   username=session["handle"], token_type=Account.TokenType.APP_PASSWORD,
                   oauth2_access_token=session["access_jwt"], oauth2_refresh_token=session["refresh_jwt"])


def _bluesky_posts(sb: Sandboxes) -> list[tuple[str, str]]:
    return [(r["value"]["text"], r["uri"].rsplit("/", 1)[1]) for r in sb.platforms.get("bluesky/records")]


def _linkedin_account(sb: Sandboxes, client, i: int):
    from django.utils import timezone

    from socials.models import Account

    member = sb.platforms.post("linkedin/members", name=f"Chaos Member {client.username}")
    return Account(user=client, provider="linkedin", provider_account_id=member["sub"], username=member["sub"],
                   name=member["name"], token_type=Account.TokenType.OAUTH2_USER,
                   oauth2_access_token=member["token"], expires_at=timezone.now() + dt.timedelta(days=60))


def _linkedin_posts(sb: Sandboxes) -> list[tuple[str, str]]:
    from platforms.linkedin.limits import unescape

    return [(unescape(p["commentary"]), p["id"]) for p in sb.platforms.get("linkedin/posts")]


def _facebook_account(sb: Sandboxes, client, i: int):
    from socials.models import Account

    person = sb.platforms.post("facebook/users", name=f"Chaos Person {client.username}")
    page = person["pages"][0]  # the page token Facebook Login and /me/accounts would give
    return Account(user=client, provider="facebook", provider_account_id=page["id"], name=page["name"],
                   token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token=page["access_token"])


def _facebook_posts(sb: Sandboxes) -> list[tuple[str, str]]:
    return [(p["message"], p["id"]) for p in sb.platforms.get("facebook/posts")]


def _instagram_account(sb: Sandboxes, client, i: int):
    from django.utils import timezone

    from socials.models import Account

    user = sb.platforms.post("instagram/users", username=f"{client.username}.studio")
    return Account(user=client, provider="instagram", provider_account_id=user["user_id"], username=user["username"],
                   name=user["name"], token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token=user["token"],
                   expires_at=timezone.now() + dt.timedelta(seconds=user["expires_in"]))


def _instagram_posts(sb: Sandboxes) -> list[tuple[str, str]]:
    return [(m["caption"], m["id"]) for m in sb.platforms.get("instagram/media")]


NETWORKS = (
    Network("twitter", "X", threads=True, long_posts=True, account=_x_account, posts=_x_posts),
    Network("mastodon", "Mastodon", threads=True, long_posts=False, account=_mastodon_account, posts=_mastodon_posts),
    Network("bluesky", "Bluesky", threads=True, long_posts=False, account=_bluesky_account, posts=_bluesky_posts),
    Network("linkedin", "LinkedIn", threads=False, long_posts=False, account=_linkedin_account, posts=_linkedin_posts),
    Network("facebook", "Facebook", threads=False, long_posts=False, account=_facebook_account, posts=_facebook_posts),
    Network("instagram", "Instagram", threads=False, long_posts=False, account=_instagram_account,
            posts=_instagram_posts, needs_image=True),
)


def platform_settings(sb: Sandboxes, timeout: float) -> dict[str, str]:
    """The settings that point the non-X networks at the platform sandbox (as scripts/run does),
    with each network's call timeout shortened like X's. Instagram's polls of a container's
    status_code are shortened too (an image's container is ready at the first look)."""
    url = sb.platforms.url
    return {
        "mastodon_allow_http": "1",
        "bluesky_plc_url": url, "bluesky_web_url": url, "bluesky_handle_dns": "0",
        "bluesky_handle_did_url": f"{url}/handles/{{handle}}/.well-known/atproto-did",
        "linkedin_client_id": "chaos-linkedin-client", "linkedin_client_secret": "chaos-linkedin-secret",
        "linkedin_auth_url": f"{url}/oauth/v2", "linkedin_api_url": url, "linkedin_web_url": url,
        "facebook_app_id": "chaos-facebook-app", "facebook_app_secret": "chaos-facebook-secret",
        "facebook_graph_url": url, "facebook_dialog_url": url, "facebook_web_url": url,
        "mastodon_timeout": timeout, "bluesky_timeout": timeout, "linkedin_timeout": timeout,
        "facebook_timeout": timeout,
        "instagram_client_id": "chaos-instagram-client", "instagram_client_secret": "chaos-instagram-secret",
        "instagram_auth_url": f"{url}/ig/www", "instagram_token_url": f"{url}/ig/api",
        "instagram_graph_url": f"{url}/ig/graph", "instagram_timeout": timeout, "instagram_poll_seconds": 0.5,
    }
