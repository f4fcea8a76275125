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


class LinkedInPage(models.Model):
    """A LinkedIn organization page connected as its own account (author urn:li:organization:<id>),
    posting with the token of the member who administers it. That member's account is `administrator`:
    reconnecting it renews every page's copy of the token, and a token that stops working (or ends
    after its 60 days) needs a reconnect for all of them."""

    account = models.OneToOneField("socials.Account", on_delete=models.CASCADE, related_name="linkedin_page")
    administrator = models.ForeignKey("socials.Account", on_delete=models.CASCADE, related_name="linkedin_pages")

    class Meta:
        verbose_name = "LinkedIn page"

    def __str__(self) -> str:
        return f"{self.account} (administered by {self.administrator})"


class AccessEndingWarning(models.Model):
    """The client was told that this account's token (identified by its end) ends soon: once per
    token, whatever how often the daily check runs. A reconnect brings a new end, so a new warning."""

    account = models.ForeignKey("socials.Account", on_delete=models.CASCADE, related_name="access_ending_warnings")
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "expires_at"], name="access_ending_warned_once")]

    def __str__(self) -> str:
        return f"{self.account}: access ending {self.expires_at:%Y-%m-%d}"


class InstagramContainer(models.Model):
    """The media container an Instagram post is made from (POST /{ig-user-id}/media), kept before
    media_publish is called: one per part of a channel's attempt (`key`, str(AttemptKey)). A retry
    publishes this container again rather than a new one, and a lost answer is settled by its
    status_code (PUBLISHED), so one attempt can never make two posts."""

    key = models.CharField(max_length=100, unique=True, help_text="The attempt (channel, part, first attempt).")
    account = models.ForeignKey("socials.Account", on_delete=models.CASCADE, related_name="instagram_containers")
    container_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(help_text="When the container was made (its 24 hours start then).")

    class Meta:
        verbose_name = "Instagram media container"

    def __str__(self) -> str:
        return f"{self.container_id} ({self.key})"
