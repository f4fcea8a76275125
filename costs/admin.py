from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from . import caps, selectors
from .models import MetricsPolicy, SpendCap, XCall
from .prices import usd


@admin.register(XCall)
class XCallAdmin(admin.ModelAdmin):
    """The ledger: every billable call to X, read only."""

    list_display = ["at", "kind", "endpoint", "price", "client", "account", "x_app", "post"]
    list_filter = ["kind", "x_app", ("client", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["resource_id", "client__username", "account__username", "x_app"]
    list_select_related = ["client", "account", "post"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in XCall._meta.fields]

    @admin.display(ordering="micros")
    def price(self, obj):
        return usd(obj.micros)

    def changelist_view(self, request, extra_context=None):
        """Above the list: spend per client and per X app, this month and last."""
        usage = selectors.usage(request.user)

        def month(label: str, key: str) -> str:
            clients = ", ".join(f"{c['username']} {c['usd']}" for c in usage[key]["clients"]) or "none"
            apps = ", ".join(f"{a['x_app']} {a['usd']}" for a in usage[key]["x_apps"]) or "none"
            return f"{label}: {usage[key]['usd']} (clients: {clients}; X apps: {apps})"

        subtitle = " · ".join(month(label, key) for label, key in (("This month", "this_month"),
                                                                    ("Last month", "last_month")))
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": subtitle})

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SpendCap)
class SpendCapAdmin(admin.ModelAdmin):
    """Monthly caps: a post that would pass one is held; raising the cap here releases it."""

    list_display = ["__str__", "client", "x_app", "monthly_usd", "spent_this_month", "updated_at"]
    raw_id_fields = ["client"]

    @admin.display(description="Spent this month")
    def spent_this_month(self, obj):
        if obj.client_id:
            return usd(selectors.month_spend(client_id=obj.client_id))
        return usd(selectors.month_spend(x_app=obj.x_app))

    def save_model(self, request, obj, form, change):
        """Through costs.caps.set_cap, which releases the posts the cap held."""
        try:
            caps.set_cap(actor=request.user, client=obj.client, x_app=obj.x_app or "", monthly_usd=obj.monthly_usd)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return
        saved = SpendCap.objects.filter(client=obj.client) if obj.client_id else SpendCap.objects.filter(x_app=obj.x_app)
        obj.pk = saved.values_list("pk", flat=True).first()

    def delete_model(self, request, obj):
        caps.set_cap(actor=request.user, client=obj.client, x_app=obj.x_app or "", monthly_usd=None)


@admin.register(MetricsPolicy)
class MetricsPolicyAdmin(admin.ModelAdmin):
    """How long published posts' metrics are read from X: one row."""

    list_display = ["__str__", "tracking_days", "updated_at"]

    def has_add_permission(self, request):
        return not MetricsPolicy.objects.exists()
