from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from .forms import AdminLoginForm
from .models import User

admin.site.login_form = AdminLoginForm  # the admin shares the login limit (accounts/login.py)
# simplejwt's blacklist registers its tables in the admin, refresh tokens in full: no secrets there.
admin.site.unregister([OutstandingToken, BlacklistedToken])


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "role", "is_active", "date_joined"]
    list_filter = ["role", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets[:1] + (
        ("Role", {"fields": ["role", "time_zone"]}),
    ) + tuple(
        (name, opts) if name != "Permissions" else (name, {"fields": ["is_active", "is_superuser", "groups", "user_permissions"]})
        for name, opts in BaseUserAdmin.fieldsets[1:]
    )
    add_fieldsets = (
        (None, {"classes": ["wide"], "fields": ["username", "email", "role", "password1", "password2"]}),
    )
