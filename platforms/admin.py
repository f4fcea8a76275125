from django.contrib import admin

from .models import InstagramContainer, MastodonApp


@admin.register(MastodonApp)
class MastodonAppAdmin(admin.ModelAdmin):
    """SocialHub's app on each Mastodon instance: registered by the connect flow, shown for support.
    Its secret never appears here."""

    list_display = ["instance_url", "max_characters", "max_media_attachments", "limits_read_at", "created_at"]
    search_fields = ["instance_url"]
    fields = ["instance_url", "client_id", "redirect_uri", "scopes", "max_characters", "max_media_attachments",
              "characters_reserved_per_url", "limits_read_at", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(InstagramContainer)
class InstagramContainerAdmin(admin.ModelAdmin):
    """The container each Instagram attempt publishes: staff settling an unknown outcome look its
    id up on Instagram (its status_code says whether it was published)."""

    list_display = ["container_id", "key", "account", "created_at"]
    search_fields = ["container_id", "key"]
    fields = ["key", "account", "container_id", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False
