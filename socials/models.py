from django.conf import settings
from django.db import models
from django.db.models import Q

from .fields import EncryptedTextField


POST_LENGTH = 280  # X's weighted limit
LONG_POST_LENGTH = 25000  # for Premium subscribers (X's note_tweet)
PREMIUM_SUBSCRIPTIONS = ("Premium", "PremiumPlus")
# Every credential an account stores, whatever its platform. Secrets are never shown again.
SECRET_FIELDS = (
    "access_token",
    "oauth1_access_token",
    "oauth1_access_token_secret",
    "oauth1_consumer_key",
    "oauth1_consumer_secret",
    "oauth2_access_token",
    "oauth2_refresh_token",
    "oauth2_client_secret",
)
TOKEN_FIELDS = (*SECRET_FIELDS, "oauth2_client_id")


class AccountQuerySet(models.QuerySet):
    def for_user(self, user):
        """The accounts a person may see: their own (client), their clients' (reseller), all (staff)."""
        if user.is_platform_staff:
            return self
        if user.is_reseller:
            return self.filter(user__tasks__reseller=user).distinct()
        return self.filter(user=user)

    def connected(self):
        return self.filter(state=Account.State.CONNECTED)

    def can_post(self):
        return self.connected().exclude(token_type=Account.TokenType.BEARER)


class Account(models.Model):
    """A client's connected X account: the seed's Account model, with its tokens encrypted.

    Token fields hold secrets: they are never displayed (admin and API treat them as write-only).
    """

    class TokenType(models.TextChoices):
        BEARER = "bearer", "App bearer token (read only)"
        OAUTH1 = "oauth1", "OAuth 1.0a user context"
        OAUTH2_USER = "oauth2_user", "OAuth 2.0 user context"
        APP_PASSWORD = "app_password", "App password session"  # Bluesky's legacy sign-in

    class State(models.TextChoices):
        CONNECTED = "connected", "Working"
        RECONNECT_NEEDED = "reconnect_needed", "Reconnect needed"
        DISCONNECTED = "disconnected", "Disconnected"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="x_accounts"
    )
    provider = models.CharField(max_length=32, default="twitter")  # "twitter", "mastodon", "bluesky"
    # Where the account lives when the platform has many servers: a Mastodon instance, or the
    # Bluesky PDS holding the account's repository. Empty for X.
    server_url = models.URLField(blank=True)
    provider_account_id = models.CharField(max_length=64, blank=True)
    username = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=128, blank=True)

    # OAuth 2.0 application-only bearer token: reading only.
    access_token = EncryptedTextField(blank=True)
    # OAuth 1.0a user context. Consumer key/secret: the account's own app, else settings'.
    oauth1_access_token = EncryptedTextField(blank=True)
    oauth1_access_token_secret = EncryptedTextField(blank=True)
    oauth1_consumer_key = EncryptedTextField(blank=True)
    oauth1_consumer_secret = EncryptedTextField(blank=True)
    # OAuth 2.0 user context. Client id/secret: the account's own app, else settings'.
    oauth2_access_token = EncryptedTextField(blank=True)
    oauth2_refresh_token = EncryptedTextField(blank=True)
    oauth2_client_id = models.CharField(max_length=128, blank=True)
    oauth2_client_secret = EncryptedTextField(blank=True)

    token_type = models.CharField(max_length=16, choices=TokenType.choices)
    expires_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(max_length=255, blank=True)

    # What X says of the account on GET /2/users/me (on connect and "Test connection"): Premium
    # subscribers may post up to 25,000 weighted characters. Staff may decide by hand instead.
    verified_type = models.CharField(max_length=16, blank=True, help_text="X's verified_type: blue, business, government or none.")
    subscription_type = models.CharField(max_length=16, blank=True, help_text="X's subscription_type: Basic, Premium, PremiumPlus or None.")
    long_posts_by_hand = models.BooleanField(
        "long posts (set by staff)", null=True, blank=True,
        help_text="Empty: follow what X says. Yes or No: staff decided whether this account may post long (Premium) posts.")

    state = models.CharField(max_length=20, choices=State.choices, default=State.CONNECTED)
    state_message = models.CharField(max_length=255, blank=True)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["username", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "provider", "provider_account_id"],
                condition=~Q(provider_account_id=""),
                name="account_unique_per_user",
            ),
            models.CheckConstraint(
                condition=Q(token_type__in=["bearer", "oauth1", "oauth2_user", "app_password"]),
                name="account_token_type_valid",
            ),
        ]

    def __str__(self) -> str:
        if self.provider != "twitter":
            from platforms.registry import account_label

            return account_label(self)
        return f"@{self.username}" if self.username else f"X account {self.pk}"

    @property
    def reconnect_url(self) -> str:
        """Where a Mastodon or Bluesky account is connected again ("" for X: allauth's form)."""
        from platforms.registry import reconnect_url

        return reconnect_url(self)

    @property
    def expiry_warning(self) -> str:
        """A week before a token that cannot be renewed ends (LinkedIn's), what the client must do."""
        from platforms.registry import expiry_warning

        return expiry_warning(self)

    @property
    def platform_label(self) -> str:
        """"X", "Mastodon", "Bluesky"."""
        from platforms.registry import platform_label

        return platform_label(self.provider)

    @property
    def can_post(self) -> bool:
        return self.state == self.State.CONNECTED and self.token_type != self.TokenType.BEARER

    @property
    def may_post_long(self) -> bool:
        """Premium (and Premium+) subscribers may post up to 25,000 weighted characters on X."""
        if self.long_posts_by_hand is not None:
            return self.long_posts_by_hand
        return self.subscription_type in PREMIUM_SUBSCRIPTIONS

    @property
    def max_weighted_length(self) -> int:
        return LONG_POST_LENGTH if self.may_post_long else POST_LENGTH

    @property
    def status_label(self) -> str:
        """What the client and reseller see: "Working", "Read only", "Reconnect needed", "Disconnected"."""
        if self.state == self.State.CONNECTED and self.token_type == self.TokenType.BEARER:
            return "Read only"
        return self.get_state_display()

    @property
    def connect_provider(self) -> str:
        """The allauth provider that reconnects it: OAuth 1.0a accounts come back the way they came."""
        return "twitter" if self.token_type == self.TokenType.OAUTH1 else "twitter_oauth2"
