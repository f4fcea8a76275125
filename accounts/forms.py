from django import forms

from .models import User


class SettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "time_zone"]
        help_texts = {"time_zone": "Every date and time is shown to you in this zone; you schedule posts in it."}
