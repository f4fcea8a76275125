"""Who wants to hear about what, what is waiting to be emailed, and where webhooks go."""

import uuid

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q

from socials.fields import EncryptedTextField


class Kind(models.TextChoices):
    """What a person can be told about. Each kind can be switched off per person."""

    POST_SUBMITTED = "post_submitted", "Posts waiting for my review"
    POST_APPROVED = "post_approved", "Posts approved"
    POST_REJECTED = "post_rejected", "Posts rejected"
    POST_PUBLISHED = "post_published", "Posts published"
    POST_FAILED = "post_failed", "Posts that failed to publish"
    ACCOUNT_RECONNECT = "account_reconnect", "X accounts that need reconnecting"
    POST_COMMENTED = "post_commented", "Comments on posts"
    POST_HELD = "post_held", "Posts held by a spend cap on X"
    ACCESS_ENDING = "access_ending", "Accounts whose access ends soon (LinkedIn, a week ahead)"


# The kinds each role can receive; the settings page offers only these.
KINDS_BY_ROLE = {
    "client": [Kind.POST_SUBMITTED, Kind.POST_COMMENTED, Kind.POST_FAILED, Kind.ACCOUNT_RECONNECT, Kind.ACCESS_ENDING],
    "reseller": [
        Kind.POST_APPROVED,
        Kind.POST_REJECTED,
        Kind.POST_COMMENTED,
        Kind.POST_PUBLISHED,
        Kind.POST_FAILED,
        Kind.ACCOUNT_RECONNECT,
        Kind.POST_HELD,
        Kind.ACCESS_ENDING,
    ],
}

# Webhook event names, as receivers see them in the body and the X-SocialHub-Event header.
EVENT_NAMES = {
    Kind.POST_SUBMITTED: "post.submitted",
    Kind.POST_APPROVED: "post.approved",
    Kind.POST_REJECTED: "post.rejected",
    Kind.POST_PUBLISHED: "post.published",
    Kind.POST_FAILED: "post.failed",
    Kind.ACCOUNT_RECONNECT: "account.reconnect_needed",
    Kind.POST_COMMENTED: "post.commented",
    Kind.POST_HELD: "post.held",
    Kind.ACCESS_ENDING: "account.access_ending",
}
PING_EVENT = "ping"


class PreferenceQuerySet(models.QuerySet):
    def disabled_kinds(self, user) -> set[str]:
        return set(self.filter(user=user, enabled=False).values_list("kind", flat=True))


class Preference(models.Model):
    """A person's choice for one kind of notification. No row means the kind is on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    enabled = models.BooleanField(default=True)

    objects = PreferenceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} {'on' if self.enabled else 'off'}"


class PendingNotification(models.Model):
    """One thing to tell one person, waiting for the batching flush that emails it.

    The flush claims rows by stamping them with its own claim id, sends one email, then deletes
    them; a failed send releases the claim so the next flush tries again.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    claim = models.UUIDField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)


    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["recipient", "claim", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}"


http_url_validator = URLValidator(schemes=["http", "https"])


class WebhookEndpoint(models.Model):
    """Where a reseller wants events POSTed, signed with their secret. The secret is write-only."""

    reseller = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_endpoint",
        limit_choices_to={"role": "reseller"},
    )
    url = models.URLField(max_length=500, validators=[http_url_validator], verbose_name="URL")
    secret = EncryptedTextField(help_text="Signs every body (HMAC-SHA256). Never shown again.")
    is_active = models.BooleanField(default=True, verbose_name="active")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return f"{self.reseller}: {self.url}"


class WebhookDelivery(models.Model):
    """One event for one endpoint: the delivery log, and the state its retries work from."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Gave up"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # One entry per attempt: {"at", "status_code", "error", "ms"}. Never headers or secrets.
    history = models.JSONField(default=list, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False),
                name="webhook_delivered_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id}"
