from django import forms
from django.core.exceptions import ValidationError

from .bluesky.identity import is_handle_or_did
from .mastodon.client import normalize_instance


class MastodonInstanceForm(forms.Form):
    instance = forms.CharField(
        label="Your Mastodon server", max_length=200,
        help_text="The server your account is on, as in @you@mastodon.social: type mastodon.social.",
    )

    def clean_instance(self) -> str:
        try:
            return normalize_instance(self.cleaned_data["instance"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


class BlueskyHandleForm(forms.Form):
    """Sign in with Bluesky (OAuth): only the handle; Bluesky asks for the password itself."""

    handle = forms.CharField(label="Bluesky handle", max_length=253, help_text="For example you.bsky.social.")

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"].strip().lstrip("@").lower()
        if not is_handle_or_did(handle):  # atproto's handle syntax: a domain name
            raise ValidationError("A Bluesky handle is a domain name, for example you.bsky.social.")
        return handle


class BlueskyAppPasswordForm(BlueskyHandleForm):
    app_password = forms.CharField(
        label="App password", max_length=64, widget=forms.PasswordInput(render_value=False),
        help_text="Create one in Bluesky under Settings, Privacy and security, App passwords. "
                  "Never your account's own password: an app password can be revoked on its own.",
    )
