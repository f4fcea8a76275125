from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    """X, Mastodon, Bluesky, LinkedIn and Facebook, one folder each (client, publisher, connect flow,
    limits, errors). Each publisher joins socials.publishers' registry here, and each connection
    (test, revoke) socials.connections': the engine and the account services never name a platform."""

    name = "platforms"
    verbose_name = "Platforms"

    def ready(self) -> None:
        from socials.connections import CONNECTIONS
        from socials.publishers import PUBLISHERS

        # Dotted paths: each is imported when a channel of its platform is first sent (publisher_for).
        PUBLISHERS.setdefault("twitter", "platforms.x.publisher.XPublisher")
        PUBLISHERS.setdefault("mastodon", "platforms.mastodon.publisher.MastodonPublisher")
        PUBLISHERS.setdefault("bluesky", "platforms.bluesky.publisher.BlueskyPublisher")
        PUBLISHERS.setdefault("linkedin", "platforms.linkedin.publisher.LinkedInPublisher")
        PUBLISHERS.setdefault("facebook", "platforms.facebook.publisher.FacebookPublisher")
        PUBLISHERS.setdefault("instagram", "platforms.instagram.publisher.InstagramPublisher")

        CONNECTIONS.setdefault("twitter", "platforms.x.accounts.XConnection")
        CONNECTIONS.setdefault("mastodon", "platforms.mastodon.connection.MastodonConnection")
        CONNECTIONS.setdefault("bluesky", "platforms.bluesky.connection.BlueskyConnection")
        CONNECTIONS.setdefault("linkedin", "platforms.linkedin.connection.LinkedInConnection")
        CONNECTIONS.setdefault("facebook", "platforms.facebook.connection.FacebookConnection")
        CONNECTIONS.setdefault("instagram", "platforms.instagram.connection.InstagramConnection")
