from django import forms

from accounts.models import User
from posts.models import TaskAssign


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Client's email")
    name = forms.CharField(label="Client's name", max_length=150, required=False)
    task_title = forms.CharField(
        label="Task", max_length=200, required=False,
        help_text="What you will do for them, e.g. \"Spring launch\". Default: Social media.",
    )


class AcceptForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="You log in with this or your email address.")
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords differ.")
        return data


class TaskForm(forms.ModelForm):
    """A reseller's task for one of their own clients."""

    class Meta:
        model = TaskAssign
        fields = ["user", "title", "brief", "approval_policy"]
        labels = {"user": "Client", "approval_policy": "Who approves posts"}

    def __init__(self, *args, reseller: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.clients_of(reseller).order_by("username")
        self.fields["brief"].widget.attrs["rows"] = 3


class RenameTaskForm(forms.ModelForm):
    class Meta:
        model = TaskAssign
        fields = ["title", "brief", "approval_policy"]
        labels = {"approval_policy": "Who approves posts"}


class XAppForm(forms.Form):
    """A client's X app. Secrets are never shown back: left blank, the stored one is kept."""

    oauth2_client_id = forms.CharField(label="OAuth 2.0 client ID", max_length=128, required=False)
    oauth2_client_secret = forms.CharField(
        label="OAuth 2.0 client secret", required=False, widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    oauth1_consumer_key = forms.CharField(label="OAuth 1.0a API key", max_length=128, required=False)
    oauth1_consumer_secret = forms.CharField(
        label="OAuth 1.0a API key secret", required=False, widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, app=None, **kwargs):
        super().__init__(*args, **kwargs)
        if app is not None and not self.is_bound:
            self.initial = {"oauth2_client_id": app.oauth2_client_id, "oauth1_consumer_key": app.oauth1_consumer_key}
        for name, has in (("oauth2_client_secret", app and app.has_oauth2), ("oauth1_consumer_secret", app and app.has_oauth1)):
            if has:
                self.fields[name].help_text = "Stored (encrypted). Leave blank to keep it."
