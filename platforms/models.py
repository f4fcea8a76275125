from django.db import models

from socials.fields import EncryptedTextField


class MastodonApp(models.Model):
    """SocialHub's app on one Mastodon instance, registered there (POST /api/v1/apps) the first
    time one of its users connects, and its limits as the instance states them (/api/v2/instance)."""

    instance_url = models.URLField(unique=True, help_text="https://host, no path.")
    client_id = models.CharField(max_length=128)
    client_secret = EncryptedTextField()
    redirect_uri = models.URLField(max_length=500)
    scopes = models.CharField(max_length=255)
    # configuration.statuses.* and media_attachments.* of /api/v2/instance (defaults: Mastodon's).
    max_characters = models.PositiveIntegerField(default=500)
    max_media_attachments = models.PositiveSmallIntegerField(default=4)
    characters_reserved_per_url = models.PositiveSmallIntegerField(default=23)
    limits_read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Mastodon instance app"

    def __str__(self) -> str:
        return self.instance_url
