from django import forms
from django.contrib import admin

from .models import (
    PendingNotification,
    Preference,
    WebhookDelivery,
    WebhookEndpoint,
    http_url_validator,
)


class WebhookEndpointForm(forms.ModelForm):
    """The secret is write-only: an empty password input; blank keeps the stored value."""

    url = forms.URLField(
        label="URL", max_length=500, validators=[http_url_validator], assume_scheme="https"
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["reseller", "url", "secret", "is_active"]
        widgets = {"secret": forms.PasswordInput(render_value=False)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = bool(self.instance.pk and self.instance.secret)
        self.fields["secret"].required = not stored
        self.fields["secret"].help_text = (
            "Stored (hidden). Leave blank to keep it." if stored else "Signs every body (HMAC-SHA256)."
        )
        self.initial["secret"] = ""  # never send the stored secret back to the browser

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("secret"):
            cleaned.pop("secret", None)  # left out, the instance keeps its stored secret
        return cleaned


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["reseller", "url", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["reseller__username", "url"]
    list_select_related = ["reseller"]
    raw_id_fields = ["reseller"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only."""

    list_display = ["created_at", "event", "endpoint", "status", "status_code", "attempts", "next_attempt_at"]
    list_filter = ["status", "event"]
    search_fields = ["event_id", "endpoint__reseller__username", "endpoint__url"]
    list_select_related = ["endpoint__reseller"]
    fields = [
        "endpoint", "event", "event_id", "status", "status_code", "attempts", "last_error",
        "next_attempt_at", "delivered_at", "created_at", "history", "payload",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "enabled"]
    list_filter = ["kind", "enabled"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


@admin.register(PendingNotification)
class PendingNotificationAdmin(admin.ModelAdmin):
    """What waits for the next email; read-only."""

    list_display = ["created_at", "recipient", "kind", "claimed_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    readonly_fields = ["recipient", "kind", "payload", "created_at", "claim", "claimed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
