from django.contrib import admin

from . import invitations
from .models import ClientXApp, Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Staff see every invitation. The link is never shown: it is emailed only."""

    list_display = ["email", "reseller", "state_label", "created_at", "expires_at", "accepted_at"]
    list_filter = ["reseller"]
    search_fields = ["email", "name", "reseller__username"]
    readonly_fields = ["nonce_hidden", "created_at", "sent_at", "send_count", "accepted_at", "client", "task"]
    exclude = ["nonce"]
    actions = ["revoke"]

    @admin.display(description="State")
    def state_label(self, obj):
        return obj.get_state_display()

    @admin.display(description="Link secret")
    def nonce_hidden(self, obj):
        return "(hidden; resend to issue a new link)"

    def has_add_permission(self, request):
        return False  # resellers invite (the page or the API), so the email goes out

    @admin.action(description="Revoke the selected invitations")
    def revoke(self, request, queryset):
        count = 0
        for invitation in queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True):
            invitations.revoke_invitation(actor=request.user, invitation=invitation)
            count += 1
        self.message_user(request, f"{count} invitation(s) revoked.")


@admin.register(ClientXApp)
class ClientXAppAdmin(admin.ModelAdmin):
    """Which clients bring their own X app. Secrets stay out of the admin."""

    list_display = ["client", "oauth2_client_id", "has_oauth2", "has_oauth1", "updated_at"]
    fields = ["client", "oauth2_client_id", "has_oauth2", "has_oauth1", "updated_by", "updated_at"]
    readonly_fields = fields

    @admin.display(boolean=True, description="OAuth 2.0")
    def has_oauth2(self, obj):
        return obj.has_oauth2

    @admin.display(boolean=True, description="OAuth 1.0a")
    def has_oauth1(self, obj):
        return obj.has_oauth1

    def has_add_permission(self, request):
        return False  # registered on the client's X app page, which validates the pairs
