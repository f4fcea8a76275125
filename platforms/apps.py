from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    """Mastodon, Bluesky and LinkedIn, one folder each (client, publisher, connect flow, limits, errors).
    Each publisher joins socials.publishers' registry here: the engine never names a platform."""

    name = "platforms"
    verbose_name = "Platforms"

    def ready(self) -> None:
        from socials.publishers import PUBLISHERS

        from .bluesky.publisher import BlueskyPublisher
        from .facebook.publisher import FacebookPublisher
        from .linkedin.publisher import LinkedInPublisher
        from .mastodon.publisher import MastodonPublisher

        PUBLISHERS.setdefault("mastodon", MastodonPublisher())
        PUBLISHERS.setdefault("bluesky", BlueskyPublisher())
        PUBLISHERS.setdefault("linkedin", LinkedInPublisher())
        PUBLISHERS.setdefault("facebook", FacebookPublisher())
