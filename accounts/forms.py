from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm

from . import login
from .models import User


class SettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "time_zone"]
        help_texts = {"time_zone": "Every date and time is shown to you in this zone; you schedule posts in it."}


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login form, checking the password through accounts/login.py (the shared limit)."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = login.authenticate(self.request, login=username, password=password)
            except login.TooManyLoginAttempts as exc:
                raise forms.ValidationError(str(exc), code="too_many_login_attempts") from exc
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
