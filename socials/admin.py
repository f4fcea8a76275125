from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from socialhub.errors import NotAllowed

from . import services
from .models import SECRET_FIELDS, Account

# Secrets are write-only: the form offers empty password inputs; a blank input keeps the stored value.
TOKEN_FIELDS = SECRET_FIELDS


class AccountAdminForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = [
            "user", "provider_account_id", "username", "name", "token_type",
            "oauth2_client_id", "expires_at", "scope", "long_posts_by_hand", *TOKEN_FIELDS,
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
        token_type = cleaned.get("token_type")
        if not token_type:
            return cleaned
        given = {name: cleaned[name] for name in services.TOKEN_FIELDS if cleaned.get(name)}
        stored = {} if not self.instance.pk or token_type != self.instance.token_type else {
            name: getattr(self.instance, name) for name in services.TOKEN_FIELDS
        }
        provider = self.instance.provider  # a new account is X's: other networks connect from their own flows
        services.check_tokens(provider=provider, token_type=token_type, values={**stored, **given})
        if not self.instance.pk and not cleaned.get("provider_account_id"):
            me = services.identify(provider=provider, token_type=token_type, values=given)  # the id and username, from X
            cleaned["provider_account_id"] = me["id"]
            cleaned["username"] = cleaned.get("username") or me.get("username", "")
            cleaned["name"] = cleaned.get("name") or me.get("name", "")
        return cleaned


@admin.action(description="Test connection of the selected accounts")
def test_connection(modeladmin, request, queryset):
    for account in queryset:
        report = services.test_connection(actor=request.user, account=account)
        modeladmin.message_user(request, f"{account}: {report.summary()}",
                                messages.SUCCESS if report.works else messages.ERROR)


@admin.action(description="Disconnect the selected accounts (delete and revoke tokens, hold their posts)")
def disconnect(modeladmin, request, queryset):
    for account in queryset:
        result = services.disconnect_account(actor=request.user, account=account)
        where = account.platform_label
        revoke = {True: f"tokens revoked at {where}", False: f"{where}'s revoke failed", None: "nothing to revoke"}[result.revoked]
        modeladmin.message_user(request, f"{account} disconnected ({revoke}; {result.held} post(s) held).")


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    form = AccountAdminForm
    list_display = ["__str__", "provider", "user", "token_type", "status_label", "long_posts", "expires_at", "last_checked_at"]
    list_filter = ["provider", "token_type", "state"]
    search_fields = ["username", "provider_account_id", "user__username", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    fieldsets = [
        (None, {"fields": ["user", "provider", "server_url", "provider_account_id", "username", "name"]}),
        ("Connection", {"fields": ["token_type", "state", "state_message", "expires_at", "scope",
                                   "last_checked_at"]}),
        ("Premium (long posts)", {
            "fields": ["verified_type", "subscription_type", "long_posts_by_hand"],
            "description": "What X's /2/users/me said on connect or on Test connection; Premium accounts may post "
                           "up to 25,000 characters. Set 'long posts' by hand to decide instead of X.",
        }),
        ("App bearer token (read only)", {"fields": ["access_token"]}),
        ("OAuth 1.0a", {"fields": ["oauth1_access_token", "oauth1_access_token_secret",
                                   "oauth1_consumer_key", "oauth1_consumer_secret"]}),
        ("OAuth 2.0", {"fields": ["oauth2_access_token", "oauth2_refresh_token",
                                  "oauth2_client_id", "oauth2_client_secret"]}),
    ]

    # An account of another network (Mastodon, Bluesky) comes from its connect flow, never typed here.
    readonly_fields = ["provider", "server_url", "state", "state_message", "last_checked_at", "verified_type", "subscription_type"]
    actions = [test_connection, disconnect]

    @admin.display(boolean=True, description="Long posts")
    def long_posts(self, obj):
        return obj.may_post_long

    def get_readonly_fields(self, request, obj=None):
        # Another X id is another account: register it rather than rewriting this one.
        return [*self.readonly_fields, "user", "provider_account_id"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Through the services, like every other door: tokens replaced as a whole, held posts released."""
        data = form.cleaned_data
        tokens = {name: data[name] for name in services.TOKEN_FIELDS if data.get(name)}
        fields = {name: data.get(name) for name in ("username", "name", "token_type", "expires_at", "scope",
                                                    "long_posts_by_hand")}
        try:
            if change:
                changed = {k: v for k, v in fields.items() if k in form.changed_data}
                account = services.update_account(actor=request.user, account=obj, **changed, **tokens)
            else:
                by_hand = fields.pop("long_posts_by_hand")
                account = services.register_account(
                    actor=request.user, user=data["user"], provider_account_id=data["provider_account_id"],
                    **fields, **tokens,
                ).account
                if by_hand is not None:
                    account = services.update_account(actor=request.user, account=account, long_posts_by_hand=by_hand)
        except NotAllowed as exc:
            raise ValidationError(str(exc)) from exc
        obj.pk = account.pk
        obj.refresh_from_db()
