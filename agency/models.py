import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from socials.fields import EncryptedTextField


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class InvitationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Invitations a person may see: their own (reseller), all (staff), none (clients)."""
        if user.is_platform_staff:
            return self
        if user.is_reseller:
            return self.filter(reseller=user)
        return self.none()

    def open(self, now=None):
        now = now or timezone.now()
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """A reseller's invitation to a client. The emailed link is signed over `nonce`, which a resend
    replaces, so only the newest link works; accepting or revoking closes it for good."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for the client"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True, help_text="The client's name, if known.")
    task_title = models.CharField(max_length=200, help_text="The task created for the client.")
    reseller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_sent",
        limit_choices_to={"role": "reseller"},
    )
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="accepted_invitations",
    )
    task = models.ForeignKey("posts.TaskAssign", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True), name="invitation_accepted_or_revoked"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} (by {self.reseller})"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return self.State(self.state).label

    @property
    def is_open(self) -> bool:
        return self.state == self.State.PENDING

    @property
    def can_resend(self) -> bool:
        return self.state in (self.State.PENDING, self.State.EXPIRED)


class ReviewLinkQuerySet(models.QuerySet):
    def for_user(self, user):
        if user.is_platform_staff:
            return self
        if user.is_reseller:
            return self.filter(task__reseller=user)
        return self.none()


class ReviewLink(models.Model):
    """A signed, expiring URL through which a client reviews one post or a batch without logging in.

    The URL carries `signing.dumps([id, nonce])`; revoking sets `revoked_at`. Each decision made
    through it is a posts.ReviewEvent (by the client) with a LinkDecision saying it came this way."""

    task = models.ForeignKey("posts.TaskAssign", on_delete=models.CASCADE, related_name="review_links")
    posts = models.ManyToManyField("posts.Post", related_name="review_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Empty when the pending-review email made it.",
    )
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Review link {self.pk} for {self.task}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def state_label(self) -> str:
        if self.revoked_at:
            return "Revoked"
        return "Active" if self.is_usable else "Expired"


class LinkDecision(models.Model):
    """How a review came through a link: which link, from which address (the version is the review's)."""

    review = models.OneToOneField("posts.ReviewEvent", on_delete=models.CASCADE, related_name="link_decision")
    link = models.ForeignKey(ReviewLink, on_delete=models.PROTECT, related_name="decisions")
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Link {self.link_id} from {self.ip_address}"


MAX_COMMENT_LENGTH = 2000


class Comment(models.Model):
    """One message in a post's thread between its reseller, its client and staff. Plain text."""

    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField(max_length=MAX_COMMENT_LENGTH)
    # Written on a review link's page: the link (the author is then the link's client) and the address.
    link = models.ForeignKey(ReviewLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["post", "created_at"], name="comment_post_time")]

    def __str__(self) -> str:
        return f"Comment by {self.author} on post {self.post_id}"


class ClientXApp(models.Model):
    """A client's own X developer app (X's developer agreement bars running one app for many
    customers "on a service bureau" basis). Connecting, refreshing, revoking and posting for the
    client's accounts then use it; without one the platform's app is used. Secrets are encrypted
    like tokens and never shown again."""

    client = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="x_app")
    oauth2_client_id = models.CharField("OAuth 2.0 client ID", max_length=128, blank=True)
    oauth2_client_secret = EncryptedTextField("OAuth 2.0 client secret", blank=True)
    oauth1_consumer_key = EncryptedTextField("OAuth 1.0a API key (consumer key)", blank=True)
    oauth1_consumer_secret = EncryptedTextField("OAuth 1.0a API key secret (consumer secret)", blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "client X app"

    def __str__(self) -> str:
        return f"X app of {self.client}"

    @property
    def has_oauth2(self) -> bool:
        return bool(self.oauth2_client_id and self.oauth2_client_secret)

    @property
    def has_oauth1(self) -> bool:
        return bool(self.oauth1_consumer_key and self.oauth1_consumer_secret)
