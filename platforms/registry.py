"""What the pages and services need to know of each platform, in one table: its name, how an
account is labelled, where its connect flow starts, its length rule. (Testing and revoking a
connection: each folder's Connection, registered in platforms.apps.) Each platform's own code is
in its folder (platforms/x/, platforms/mastodon/, ...)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import reverse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Platform:
    name: str
    label: str
    connect_url_name: str = ""  # "" for X: allauth's buttons connect it
    # Where the metrics job reads published posts' counts: read(account, remote ids) yielding
    # (remote id, metrics or None). "" where it does not (X's own reading is in posts/metrics.py;
    # LinkedIn's member-post counts need scopes LinkedIn grants to partners only).
    metrics: str = ""
    preview_note: str = ""  # what the composer's preview of this network always says


PLATFORMS = {
    "twitter": Platform("twitter", "X"),
    "mastodon": Platform("mastodon", "Mastodon", "platforms:mastodon-connect", "platforms.mastodon.metrics.read"),
    "bluesky": Platform("bluesky", "Bluesky", "platforms:bluesky-connect", "platforms.bluesky.metrics.read"),
    "linkedin": Platform("linkedin", "LinkedIn", "platforms:linkedin-connect"),
    "facebook": Platform("facebook", "Facebook Page", "platforms:facebook-connect", "platforms.facebook.metrics.read"),
    "instagram": Platform("instagram", "Instagram", "platforms:instagram-connect", "platforms.instagram.metrics.read",
                          preview_note="Needs an image (JPEG, 4:5 to 1.91:1) or a video: Instagram takes no text-only posts."),
}

# LinkedIn's tokens last 60 days and cannot be refreshed (outside its partner programme): say so
# a week ahead (learn.microsoft.com/linkedin/shared/authentication/programmatic-refresh-tokens).
EXPIRY_WARNING = dt.timedelta(days=7)


def platform_label(provider: str) -> str:
    platform = PLATFORMS.get(provider)
    return platform.label if platform else provider.title()


def preview_note(provider: str) -> str:
    platform = PLATFORMS.get(provider)
    return platform.preview_note if platform else ""


def account_label(account) -> str:
    """@user@instance for Mastodon (a name alone is ambiguous across instances), @handle for Bluesky."""
    if account.provider == "mastodon" and account.username:
        host = urlsplit(account.server_url).hostname or ""
        return f"@{account.username}@{host}" if host else f"@{account.username}"
    if account.provider == "linkedin":
        return account.name or account.username or f"LinkedIn member {account.pk}"
    if account.provider == "facebook":
        return account.name or f"Facebook Page {account.provider_account_id}"
    if account.username:
        return f"@{account.username}"
    return f"{platform_label(account.provider)} account {account.pk}"


def expiry_warning(account) -> str:
    """For tokens that end (LinkedIn's cannot be renewed; Instagram's are renewed on use): when they
    end, once that is a week away."""
    from django.utils import timezone

    if account.provider not in ("linkedin", "instagram") or not account.expires_at or account.state != "connected":
        return ""
    if account.expires_at > timezone.now() + EXPIRY_WARNING:
        return ""
    if account.provider == "instagram":  # renewed on use: an idle account's token can still run out
        return (f"Instagram's access ends on {account.expires_at:%d %B %Y}: test the connection to renew it, "
                "or reconnect.")
    return f"LinkedIn's access ends on {account.expires_at:%d %B %Y}: reconnect before then to keep posting."


def reconnect_url(account) -> str:
    platform = PLATFORMS.get(account.provider)
    if not platform or not platform.connect_url_name:
        return ""
    return reverse(platform.connect_url_name) + f"?account={account.pk}"


def connect_options() -> list[tuple[str, str]]:
    """(label, url) of the platforms connected through SocialHub's own flows."""
    return [(f"Connect {p.label} account", reverse(p.connect_url_name)) for p in PLATFORMS.values() if p.connect_url_name]


def length_problem(account, text: str) -> str:
    """Why this text cannot go to this account as it stands, or ""."""
    from socials.publishers import PublishError, publisher_for

    try:
        return publisher_for(account.provider).length_problem(account, text)
    except PublishError as exc:
        return exc.user_message


def count(account, text: str) -> tuple[int, int, str]:
    """(used, allowed, how it counts) of this text on the account's platform, for the composer."""
    if account.provider == "mastodon":
        from .mastodon import limits as mastodon

        rules = mastodon.for_instance(account.server_url)
        return (mastodon.length(text, url_length=rules.url_length), rules.max_characters,
                f"characters as this Mastodon server counts them (links {rules.url_length})")
    if account.provider == "bluesky":
        from .bluesky import limits as bluesky

        return bluesky.length(text), bluesky.MAX_GRAPHEMES, "characters as Bluesky counts them"
    if account.provider == "linkedin":
        from .linkedin import limits as linkedin

        return linkedin.length(text), linkedin.MAX_CHARACTERS, "characters (LinkedIn's limit is about 3,000)"
    if account.provider == "facebook":
        from .facebook import limits as facebook

        return facebook.length(text), facebook.MAX_CHARACTERS, "characters (Facebook's limit is 63,206)"
    if account.provider == "instagram":
        from .instagram import limits as instagram

        return (instagram.length(text), instagram.MAX_CHARACTERS,
                f"characters of caption (and at most {instagram.MAX_HASHTAGS} hashtags)")
    from .x.text import MAX_WEIGHTED_LENGTH, weighted_length

    return weighted_length(text), MAX_WEIGHTED_LENGTH, "characters as X counts them"
