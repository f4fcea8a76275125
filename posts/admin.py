from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from socialhub.errors import InvalidState, NotAllowed
from socialhub.parsing import parse_id

from . import services
from .models import ChannelPart, Post, PostChannel, PostMedia, PostPart, ReviewEvent, TaskAssign


class ScheduledFilter(admin.SimpleListFilter):
    title = "schedule"
    parameter_name = "scheduled"

    def lookups(self, request, model_admin):
        return [("yes", "Scheduled"), ("no", "As soon as approved")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(schedule_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(schedule_at__isnull=True)
        return queryset


class ResellerFilter(admin.RelatedOnlyFieldListFilter):
    """By reseller. A client's own "published directly" task has none: that choice is named, and
    offered only when such tasks exist (not a bare "-" on every list)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.empty_value_display = "None (the client posted directly)"
        self._has_empty = model._default_manager.filter(**{f"{field_path}__isnull": True}).exists()

    @property
    def include_empty_choice(self) -> bool:
        return self._has_empty


class ClientFilter(admin.RelatedOnlyFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "client"


class ChannelInline(admin.TabularInline):
    model = PostChannel
    extra = 0
    fields = ["account", "state", "remote_id", "remote_url", "attempts", "next_attempt_at", "last_error",
              "published_at", "metrics", "metrics_updated_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class MediaInline(admin.TabularInline):
    model = PostMedia
    extra = 0
    fields = ["file", "kind", "mime_type", "size", "alt_text", "order"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PartInline(admin.TabularInline):
    """Parts 2..n of a thread (part 1 is the post's own content and media)."""

    model = PostPart
    extra = 0
    fields = ["position", "content", "attachments"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "thread parts after the first (hashtags go on part 1)"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="media")
    def attachments(self, part):
        return ", ".join(f"{m.get_kind_display()} ({m.alt_text or 'no alt text'})" for m in part.media.all()) or "-"


class ReviewInline(admin.TabularInline):
    model = ReviewEvent
    extra = 0
    fields = ["created_at", "actor", "action", "step", "version", "feedback"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReviewForm(forms.Form):
    feedback = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="Feedback for the reseller", required=False
    )


def _version_of(request, post: Post) -> int:
    """The version of `post` the confirmation page showed; 0 (never current) when it did not say."""
    raw = request.POST.get(f"version-{post.pk}", "")
    return parse_id(raw) or 0


def _report(modeladmin, request, outcome: services.Outcome, done: str) -> None:
    """Say how many objects the action went through for (`done`: "{n} post(s) ..."), and why not for the others."""
    if outcome.done:
        modeladmin.message_user(request, done.format(n=len(outcome.done)), messages.SUCCESS)
    for obj, reason in outcome.refused:
        modeladmin.message_user(request, f"#{obj.pk}: {reason}", messages.WARNING)


def _review(modeladmin, request, queryset, action: int, feedback: str = "") -> None:
    outcome = services.review_posts(
        actor=request.user, posts=queryset.select_related("task"), action=action, feedback=feedback,
        version_of=lambda post: _version_of(request, post),
    )
    _report(modeladmin, request, outcome, "{n} post(s) " + ("approved." if action == 1 else "rejected."))


def _review_action(modeladmin, request, queryset, *, action: int, name: str):
    """Both review actions first show the posts' full text and remember each one's version, so
    staff approve or reject what they read: a post edited since is refused (services.Stale)."""
    form = ReviewForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        feedback = form.cleaned_data["feedback"]
        if action == 2 and not feedback.strip():
            form.add_error("feedback", "Say why the posts are rejected, so they can be fixed.")
        else:
            _review(modeladmin, request, queryset, action=action, feedback=feedback)
            return None
    posts = queryset.select_related("task__user").prefetch_related("parts", "media", "parts__media")
    return TemplateResponse(
        request,
        "admin/posts/review.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Approve posts" if action == 1 else "Reject posts",
            "approve": action == 1,
            "posts": posts,
            "form": form,
            "action_name": name,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


@admin.action(description="Approve selected posts")
def approve_posts(modeladmin, request, queryset):
    return _review_action(modeladmin, request, queryset, action=1, name="approve_posts")


@admin.action(description="Reject selected posts (with feedback)")
def reject_posts(modeladmin, request, queryset):
    return _review_action(modeladmin, request, queryset, action=2, name="reject_posts")


@admin.action(description="Retry selected failed posts")
def retry_posts(modeladmin, request, queryset):
    outcome = services.for_each(
        queryset.select_related("task"), lambda post: services.retry_post(actor=request.user, post=post)
    )
    _report(modeladmin, request, outcome, "{n} post(s) queued for publishing again.")


@admin.action(description="Delete selected posts (not yet sent to X)")
def delete_posts(modeladmin, request, queryset):
    outcome = services.for_each(queryset, lambda post: services.delete_post(actor=request.user, post=post))
    _report(modeladmin, request, outcome, "{n} post(s) deleted.")


class DeletesThroughService:
    """Deleting in the admin goes through the model's delete service, which may refuse: the
    object page's Delete asks it (and says why it refused), and the bulk delete is an action
    that calls it post by post. `delete_through_service(request, obj)` raises NotAllowed or
    InvalidState."""

    def delete_through_service(self, request, obj) -> None:
        raise NotImplementedError

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # Django's own would delete without asking the service
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if request.method == "POST" and obj is not None:
            if not self.has_delete_permission(request, obj):
                raise PermissionDenied
            try:
                self.delete_through_service(request, obj)
            except (NotAllowed, InvalidState) as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return redirect(reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]))
            self.message_user(request, f"{obj._meta.verbose_name.capitalize()} “{obj}” was deleted.", messages.SUCCESS)
            return redirect(reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_changelist"))
        return super().delete_view(request, object_id, extra_context)


@admin.register(Post)
class PostAdmin(DeletesThroughService, admin.ModelAdmin):
    list_display = ["id", "__str__", "status", "review_step", "client", "reseller", "schedule_at", "created_at"]
    list_filter = ["status", "review_step", ("task__reseller", ResellerFilter), ("task__user", ClientFilter),
                   ScheduledFilter]
    search_fields = ["content", "task__title", "task__user__username", "task__reseller__username"]
    list_select_related = ["task__user", "task__reseller"]
    fields = ["task", "content", "hashtags", "schedule_at", "status", "review_step", "version", "feedback", "created_by",
              "reviewed_by", "reviewed_at", "published_at", "created_at", "updated_at", "thread_states",
              "x_options"]
    # Changes go through the services (review actions here; edits in the composer or the API),
    # which validate length, channels and state.
    readonly_fields = fields
    inlines = [ChannelInline, MediaInline, PartInline, ReviewInline]
    actions = [approve_posts, reject_posts, retry_posts, delete_posts]
    date_hierarchy = "created_at"

    @admin.display(description="Thread on X, part by part")
    def thread_states(self, obj):
        """Each part's state and tweet on each channel (a single post is a thread of one)."""
        rows = [
            (item.position, pc.channel.account, pc.state_label, pc.remote_url or "#", pc.remote_id or "-")
            for item in obj.thread_with_channels()
            for pc in item.channels
        ]
        if not rows:
            return "-"
        body = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td><a href='{}'>{}</a></td></tr>", rows
        )
        return format_html(
            "<table><thead><tr><th>Part</th><th>Account</th><th>State</th><th>Tweet</th></tr></thead>"
            "<tbody>{}</tbody></table>", body
        )

    @admin.display(description="On X also")
    def x_options(self, obj):
        """The post's options as X will show them (poll, who can reply, quote, community, labels)."""
        from .options import describe

        lines = describe(obj.options)
        return format_html_join("", "<div>{}</div>", ((line,) for line in lines)) if lines else "-"

    @admin.display(ordering="task__user__username")
    def client(self, obj):
        return obj.task.user

    @admin.display(ordering="task__reseller__username")
    def reseller(self, obj):
        return obj.task.reseller

    def has_add_permission(self, request):
        # Posts are written through the composer or the API, which validate channels and media.
        return False

    def delete_through_service(self, request, obj) -> None:
        services.delete_post(actor=request.user, post=obj)


class TaskAssignForm(forms.ModelForm):
    class Meta:
        model = TaskAssign
        fields = "__all__"

    def clean(self):
        data = super().clean()
        if self.instance.pk and data.get("user") is not None:
            try:
                services.check_task_client(self.instance, data["user"])
            except ValidationError as exc:
                self.add_error("user", exc.message_dict["user"])
        return data


@admin.action(description="Delete selected tasks (without posts)")
def delete_tasks(modeladmin, request, queryset):
    outcome = services.for_each(queryset, lambda task: services.delete_task(actor=request.user, task=task))
    _report(modeladmin, request, outcome, "{n} task(s) deleted.")


@admin.register(TaskAssign)
class TaskAssignAdmin(DeletesThroughService, admin.ModelAdmin):
    form = TaskAssignForm
    list_display = ["title", "user", "reseller", "approval_policy", "created_at"]
    list_filter = ["approval_policy", ("reseller", ResellerFilter), ("user", ClientFilter)]
    search_fields = ["title", "user__username", "reseller__username"]
    list_select_related = ["user", "reseller"]
    actions = [delete_tasks]

    def delete_through_service(self, request, obj) -> None:
        services.delete_task(actor=request.user, task=obj)


@admin.register(ReviewEvent)
class ReviewEventAdmin(admin.ModelAdmin):
    list_display = ["post", "action", "step", "actor", "created_at"]
    list_filter = ["action", "step"]
    list_select_related = ["post", "actor"]
    readonly_fields = ["post", "actor", "action", "step", "version", "feedback", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ChannelPart)
class ChannelPartAdmin(admin.ModelAdmin):
    """What each channel sent of a thread's parts 2..n (part 1's tweet is on the post's channel)."""

    list_display = ["channel", "part", "remote_id", "in_reply_to", "published_at"]
    list_select_related = ["channel__account", "part"]
    search_fields = ["remote_id", "in_reply_to", "sent_text"]
    readonly_fields = ["channel", "part", "remote_id", "remote_url", "in_reply_to", "sent_text", "media_ids",
                       "media_expires_at", "published_at", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
