"""What SocialHub's calls to X cost on X's pay-per-use pricing, and the monthly caps on it.

Amounts are integers of micro-dollars (X's prices have three decimals: $0.015 = 15,000), so sums
are exact; `costs.prices.usd` shows them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce


class XCallQuerySet(models.QuerySet):
    def in_month(self, month_start, next_month_start):
        return self.filter(at__gte=month_start, at__lt=next_month_start)

    def total(self) -> int:
        return self.aggregate(total=Sum("micros"))["total"] or 0


class XCall(models.Model):
    """One billable call SocialHub made to X: the ledger. Written where the calls are made
    (costs.recorder, hooked into every X client an account gets)."""

    class Kind(models.TextChoices):
        POST_CREATE = "post_create", "Post created"
        POST_CREATE_URL = "post_create_url", "Post with a link created"
        MEDIA_METADATA = "media_metadata", "Media alt text"
        POST_READ = "post_read", "Post read"
        OWN_READ = "own_read", "Own account read"

    at = models.DateTimeField()
    day = models.DateField(help_text="The UTC day: X charges a post read once per day.")
    account = models.ForeignKey("socials.Account", on_delete=models.SET_NULL, null=True, blank=True, related_name="x_calls")
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="x_calls", help_text="The client whose account made the call.")
    x_app = models.CharField("X app", max_length=80, help_text='The app that signed the call: "platform" or its client id.')
    post = models.ForeignKey("posts.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="x_calls",
                             help_text="The post being published when the call was made.")
    endpoint = models.CharField(max_length=80)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    micros = models.PositiveIntegerField(help_text="The price in micro-dollars.")
    resource_id = models.CharField(max_length=32, blank=True, help_text="The post created or read.")

    objects = XCallQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "X call"
        indexes = [
            models.Index(fields=["client", "at"], name="xcall_client_at"),
            models.Index(fields=["x_app", "at"], name="xcall_app_at"),
            models.Index(fields=["post"], name="xcall_post"),
        ]
        constraints = [
            # X deduplicates reads "within a 24-hour UTC day window" (x-api/getting-started/pricing.mdx).
            models.UniqueConstraint(fields=["x_app", "resource_id", "day"], condition=Q(kind="post_read"),
                                    name="xcall_read_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.endpoint} ({self.micros / 1_000_000:.3f} $)"


class SpendMonth(models.Model):
    """What the ledger holds per UTC month, client and X app, kept by the database itself
    (costs.rollup's triggers on costs_xcall), so the spend panel reads a row per client and app
    instead of every call of two months. `manage.py recount_spend` rebuilds it from the ledger."""

    month = models.DateField(help_text="The first day of the UTC month.")
    # CASCADE, not SET_NULL like the ledger: Django deletes a client's rows here before it sets the
    # client's calls to NULL, and the triggers then add those calls to the rows without a client.
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="spend_months")
    x_app = models.CharField("X app", max_length=80)
    micros = models.BigIntegerField(default=0)
    calls = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "monthly spend"
        constraints = [
            # COALESCE: NULLs are distinct in a plain unique index (PostgreSQL and SQLite alike), and the
            # triggers' ON CONFLICT needs one row for the calls without a client too.
            models.UniqueConstraint("month", Coalesce("client", 0), "x_app", name="spendmonth_one_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.client_id or '-'} {self.x_app}: {self.micros / 1_000_000:.3f} $"


class SpendCap(models.Model):
    """A monthly limit on what one client's accounts, or one X app, may spend on X. A post that
    would go over it is held (not failed) until the cap is raised or the month turns."""

    client = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="spend_cap", limit_choices_to={"role": "client"})
    x_app = models.CharField("X app", max_length=80, blank=True, help_text='"platform" or an app\'s client id.')
    monthly_usd = models.DecimalField("monthly cap (USD)", max_digits=10, decimal_places=3)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "spend cap"
        constraints = [
            models.CheckConstraint(condition=Q(client__isnull=False, x_app="") | Q(client__isnull=True) & ~Q(x_app=""),
                                   name="spendcap_client_or_app"),
            models.UniqueConstraint(fields=["x_app"], condition=~Q(x_app=""), name="spendcap_one_per_app"),
            models.CheckConstraint(condition=Q(monthly_usd__gte=0), name="spendcap_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.client or self.x_app}: {self.monthly_usd} $ a month"

    @property
    def monthly_micros(self) -> int:
        return int(self.monthly_usd * 1_000_000)


class MetricsPolicy(models.Model):
    """How long published posts' metrics are read from X (each read is billed). One row, set by staff."""

    tracking_days = models.PositiveSmallIntegerField(
        "track metrics for (days)", default=30,
        help_text="Published posts' numbers are read from X for this many days after publishing: at 15 minutes, "
                  "1 hour and 1 day, hourly in the first week, then once a UTC day (X charges a post read once a day).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "metrics policy"

    def __str__(self) -> str:
        return f"Track metrics for {self.tracking_days} days"

    @classmethod
    def current(cls) -> "MetricsPolicy":
        return cls.objects.order_by("pk").first() or cls()
