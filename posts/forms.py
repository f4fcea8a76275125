"""Forms for the post pages. They check the shape of the input; posts/services.py keeps every rule."""

import re

from django import forms
from django.core.exceptions import ValidationError

from platforms.registry import platform_label
from socialhub.parsing import parse_id
from socials.models import Account

from . import options as post_options
from .models import Post, PostMedia, ReviewEvent, TaskAssign

# The service's error keys, mapped to the form field each error belongs next to.
SERVICE_FIELDS = {
    "content": "content",
    "hashtags": "hashtags",
    "post_channels": "accounts",
    "schedule_at": "schedule_at",
    "media": "media",
    "feedback": "feedback",
    "parts": "parts",
    "poll": "poll",
    "reply_settings": "reply_settings",
    "quote": "quote",
    "community_id": "community_id",
    "share_with_followers": "share_with_followers",
    "made_with_ai": "made_with_ai",
    "paid_partnership": "paid_partnership",
    "options": "poll",
}
POLL_DURATIONS = [(5, "5 minutes"), (30, "30 minutes"), (60, "1 hour"), (360, "6 hours"), (1440, "1 day"),
                  (4320, "3 days"), (10080, "7 days")]
PART_FIELD = re.compile(r"^part-(\d+)-(content|id|delete)$")


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it concerns (the rest above the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, messages in exc.message_dict.items():
        field = SERVICE_FIELDS.get(key) or key.replace("text_overrides.", "text_", 1)
        form.add_error(field if field in form.fields else None, messages)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; posts/media.py judges them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif,video/mp4"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class AccountChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, account: Account) -> str:
        label = f"@{account.username}" if account.username else str(account)
        if account.provider != "twitter":
            label = f"{account} ({account.platform_label})"
        if account.state != Account.State.CONNECTED:
            label += f" ({account.get_state_display().lower()})"
        return label


class TaskChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, task: TaskAssign) -> str:
        client = task.user
        return f"{client.get_full_name() or client.username}: {task.title}"


class PostForm(forms.Form):
    """The composer, for a new post (with a task) or an edit (task fixed, media removable)."""

    WHEN_CHOICES = [("approval", "As soon as it is approved"), ("at", "At a date and time")]

    task = TaskChoiceField(queryset=TaskAssign.objects.none(), empty_label="Pick a task")
    content = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "aria-describedby": "counter"}),
        label="Text",
    )
    hashtags = forms.CharField(
        required=False,
        help_text="Separated by spaces or commas; the # is optional.",
        widget=forms.TextInput(attrs={"placeholder": "#spring launch", "autocomplete": "off"}),
    )
    accounts = AccountChoiceField(
        queryset=Account.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Post to",
    )
    media = MultipleFileField(
        required=False,
        label="Images, a GIF or a video",
        help_text="Up to 4 images (JPEG, PNG, WebP, 5 MB each), or one GIF (15 MB), or one MP4 video (512 MB).",
    )
    remove_media = forms.ModelMultipleChoiceField(
        queryset=PostMedia.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Remove attached media",
    )
    # Never rendered as an input: the thread's parts come as part-N-* fields (thread_parts below);
    # this only carries the services' "parts" errors to the page.
    parts = forms.CharField(required=False, disabled=True, widget=forms.HiddenInput)
    # What X lets a post be besides text (posts/options.py judges them); they go with part 1.
    poll = forms.CharField(required=False, label="Poll choices", widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="2 to 4 choices, one per line, up to 25 characters each. Not with media or a quote.")
    poll_duration = forms.TypedChoiceField(choices=POLL_DURATIONS, coerce=int, initial=1440, required=False,
                                           label="Poll length")
    reply_settings = forms.ChoiceField(choices=post_options.REPLY_SETTINGS, initial=post_options.EVERYONE,
                                       required=False, label="Who can reply")
    quote = forms.CharField(required=False, label="Quote a post",
                            help_text="Paste the post's link, like https://x.com/name/status/1234567890.")
    community_id = forms.CharField(required=False, label="Post to a community",
                                   help_text="The community's link or number (x.com/i/communities/…).")
    share_with_followers = forms.BooleanField(required=False, label="Also show it to my followers")
    made_with_ai = forms.BooleanField(required=False, label='Label it "Made with AI"')
    paid_partnership = forms.BooleanField(required=False, label='Label it "Paid partnership"')
    mastodon_visibility = forms.ChoiceField(choices=post_options.MASTODON_VISIBILITIES, initial=post_options.PUBLIC,
                                            required=False, label="Who sees it on Mastodon")
    when = forms.ChoiceField(choices=WHEN_CHOICES, widget=forms.RadioSelect, initial="approval", label="Publish")
    # A naive local time is read in the viewer's time zone (UserTimezoneMiddleware) and stored in UTC.
    schedule_at = forms.DateTimeField(
        required=False,
        label="Date and time",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, user, post: Post | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.post = post
        tasks = TaskAssign.objects.for_user(user).select_related("user").order_by("user__username", "title")
        self.fields["task"].queryset = tasks
        accounts = Account.objects.for_user(user).exclude(state=Account.State.DISCONNECTED)
        if post is not None:
            del self.fields["task"]
            accounts = accounts.filter(user_id=post.task.user_id)
            self.fields["remove_media"].queryset = post.media.all()
        else:
            del self.fields["remove_media"]
        self.fields["accounts"].queryset = accounts.select_related("user").order_by("user_id", "username")
        # "Customize per network": one optional text per network the accounts on offer are on.
        self.networks = [(p, platform_label(p)) for p in sorted({a.provider for a in self.fields["accounts"].queryset})]
        for provider, label in self.networks:
            self.fields[f"text_{provider}"] = forms.CharField(
                required=False, label=f"Text for {label}", widget=forms.Textarea(attrs={"rows": 3}),
                help_text=f"Optional: replaces the text above on {label} (hashtags are still added).",
            )

    @property
    def has_mastodon(self) -> bool:
        return any(provider == "mastodon" for provider, _label in self.networks)

    def network_fields(self):
        return [(provider, label, self[f"text_{provider}"]) for provider, label in self.networks]

    def clean(self):
        data = super().clean()
        if data.get("when") == "at":
            if not data.get("schedule_at") and "schedule_at" not in self.errors:
                self.add_error("schedule_at", "Pick the date and time to publish at.")
        else:
            # The date field is hidden then: nothing typed there may block the post.
            data["schedule_at"] = None
            self.errors.pop("schedule_at", None)
        return data

    @classmethod
    def initial_for(cls, post: Post) -> dict:
        return {
            "content": post.content,
            "hashtags": " ".join(f"#{tag}" for tag in post.hashtags),
            "accounts": [c.account_id for c in post.channels.all()],
            "when": "at" if post.schedule_at else "approval",
            "schedule_at": post.schedule_at,
            **{f"text_{provider}": text for provider, text in (post.text_overrides or {}).items()},
            "poll": "\n".join(post.poll_options),
            "poll_duration": post.poll_duration_minutes or 1440,
            "reply_settings": post.reply_settings,
            "quote": post.options.quote_url,
            "community_id": post.community_id,
            "share_with_followers": post.share_with_followers,
            "made_with_ai": post.made_with_ai,
            "paid_partnership": post.paid_partnership,
            "mastodon_visibility": post.mastodon_visibility,
        }

    def service_kwargs(self, files, alt_texts, parts: list[dict] | None = None) -> dict:
        """The services' keyword arguments. With `parts` (the later parts, see thread_parts),
        the whole thread goes as `parts`, part 1 made of the content and media fields."""
        data = self.cleaned_data
        kwargs = {
            "content": data["content"],
            "hashtags": data["hashtags"],
            "account_ids": [a.pk for a in data["accounts"]],
            "schedule_at": data["schedule_at"],
            "media_files": files,
            "alt_texts": alt_texts,
            "text_overrides": {p: data.get(f"text_{p}") or "" for p, _label in self.networks},
            "options": options_from(data),
        }
        if parts is not None:
            first = {"content": kwargs.pop("content"), "media_files": kwargs.pop("media_files"),
                     "alt_texts": kwargs.pop("alt_texts")}
            kwargs["parts"] = [first, *parts]
        return kwargs


def options_from(data) -> dict:
    """The composer's option fields in the form the services take."""
    choices = (data.get("poll") or "").splitlines()
    return {
        "poll": {"options": choices, "duration_minutes": data.get("poll_duration") or 1440}
        if any(c.strip() for c in choices) else None,
        "reply_settings": data.get("reply_settings") or post_options.EVERYONE,
        "quote": data.get("quote") or "",
        "community_id": data.get("community_id") or "",
        "share_with_followers": bool(data.get("share_with_followers")),
        "made_with_ai": bool(data.get("made_with_ai")),
        "paid_partnership": bool(data.get("paid_partnership")),
        "mastodon_visibility": data.get("mastodon_visibility") or post_options.PUBLIC,
    }


def thread_parts(data, files) -> list[dict]:
    """Parts 2..n from the composer's part-N-* fields, in N order, renumbered from 2: content,
    alt_text (one per file), media (files), id (an existing part, when editing), remove_media.
    A part left blank, or ticked "remove this part", is dropped."""
    numbers = sorted({int(m[1]) for key in data if (m := PART_FIELD.match(key))})
    parts = []
    for n in numbers:
        prefix = f"part-{n}-"
        if data.get(prefix + "delete"):
            continue
        part = {
            "content": data.get(prefix + "content", ""),
            "media_files": files.getlist(prefix + "media") if files else [],
            "alt_texts": data.getlist(prefix + "alt_text"),
        }
        if part_id := parse_id(data.get(prefix + "id", "")):
            part["id"] = part_id
            part["remove_media_ids"] = [pk for pk in map(parse_id, data.getlist(prefix + "remove_media")) if pk]
        elif not part["content"].strip() and not part["media_files"]:
            continue
        parts.append(part)
    return parts


class ReviewForm(forms.Form):
    action = forms.TypedChoiceField(
        choices=[(ReviewEvent.Action.APPROVE, "Approve"), (ReviewEvent.Action.REJECT, "Reject")],
        coerce=int,
    )
    feedback = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Feedback for the reseller",
        help_text="Required to reject: say what to change.",
    )
    # The Post.version the page showed (a hidden field): a review of text that changed since is refused.
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput, error_messages={
        "required": "Open the post again: the form did not say which version of it you reviewed.",
    })


class BulkReviewForm(ReviewForm):
    """Several posts at once; each post's shown version comes as `version-<post id>`."""

    version = None
    posts = forms.ModelMultipleChoiceField(queryset=Post.objects.none(), error_messages={
        "required": "Tick the posts to review first.",
    })

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posts"].queryset = Post.objects.for_user(user).select_related("task")

    def version_of(self, post: Post) -> int:
        """The version of `post` the page showed; 0 (never current) when the page did not say."""
        raw = self.data.get(f"version-{post.pk}", "")
        return parse_id(raw) or 0
