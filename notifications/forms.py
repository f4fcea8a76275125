from django import forms

from .models import http_url_validator


class PreferencesForm(forms.Form):
    """One checkbox per kind the person can receive."""

    def __init__(self, *args, kinds, enabled: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind.value] = forms.BooleanField(
                label=kind.label, required=False, initial=kind.value in enabled
            )

    def enabled_kinds(self) -> list[str]:
        return [name for name, on in self.cleaned_data.items() if on]


class WebhookForm(forms.Form):
    url = forms.URLField(
        label="Webhook URL", max_length=500, validators=[http_url_validator], assume_scheme="https"
    )
    # Write-only: never rendered back; blank keeps the stored secret.
    secret = forms.CharField(
        label="Secret", required=False, min_length=16, max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    is_active = forms.BooleanField(label="Send events to this URL", required=False, initial=True)
