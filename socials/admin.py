from django import forms
from django.contrib import admin

from .models import Account

# Secrets are write-only: the form offers empty password inputs; a blank input keeps the stored value.
TOKEN_FIELDS = [
    "access_token",
    "oauth1_access_token",
    "oauth1_access_token_secret",
    "oauth1_consumer_key",
    "oauth1_consumer_secret",
    "oauth2_access_token",
    "oauth2_refresh_token",
    "oauth2_client_secret",
]


class AccountAdminForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = [
            "user", "provider", "provider_account_id", "username", "name", "token_type",
            "oauth2_client_id", "expires_at", "scope", "state", "state_message", *TOKEN_FIELDS,
        ]
        widgets = {name: forms.PasswordInput(render_value=False) for name in TOKEN_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in TOKEN_FIELDS:
            field = self.fields[name]
            field.required = False
            field.initial = ""
            stored = bool(self.instance.pk and getattr(self.instance, name))
            field.help_text = "Stored (hidden). Leave blank to keep it." if stored else "Not set."
        # Never send a stored secret back to the browser.
        for name in TOKEN_FIELDS:
            self.initial[name] = ""

    def clean(self):
        cleaned = super().clean()
        for name in TOKEN_FIELDS:
            if not cleaned.get(name):
                # Left out of cleaned_data, the field keeps the instance's stored value.
                cleaned.pop(name, None)
        return cleaned


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    form = AccountAdminForm
    list_display = ["__str__", "user", "token_type", "state", "expires_at", "updated_at"]
    list_filter = ["token_type", "state"]
    search_fields = ["username", "provider_account_id", "user__username", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    fieldsets = [
        (None, {"fields": ["user", "provider", "provider_account_id", "username", "name"]}),
        ("Connection", {"fields": ["token_type", "state", "state_message", "expires_at", "scope"]}),
        ("App bearer token (read only)", {"fields": ["access_token"]}),
        ("OAuth 1.0a", {"fields": ["oauth1_access_token", "oauth1_access_token_secret",
                                   "oauth1_consumer_key", "oauth1_consumer_secret"]}),
        ("OAuth 2.0", {"fields": ["oauth2_access_token", "oauth2_refresh_token",
                                  "oauth2_client_id", "oauth2_client_secret"]}),
    ]
