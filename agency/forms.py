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
