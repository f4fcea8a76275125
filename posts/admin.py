from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from . import errors, services
from .models import Post, PostChannel, PostMedia, ReviewEvent, TaskAssign


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


class ChannelInline(admin.TabularInline):
    model = PostChannel
    extra = 0
    fields = ["account", "state", "remote_id", "remote_url", "attempts", "last_error", "published_at", "metrics",
              "metrics_updated_at"]
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


class ReviewInline(admin.TabularInline):
    model = ReviewEvent
    extra = 0
    fields = ["created_at", "actor", "action", "feedback"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class RejectForm(forms.Form):
    feedback = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Feedback for the reseller")


def _review(modeladmin, request, queryset, action: int, feedback: str = "") -> None:
    done, problems = 0, []
    for post in queryset.select_related("task"):
        try:
            services.review_post(actor=request.user, post=post, action=action, feedback=feedback)
            done += 1
        except (errors.NotAllowed, errors.InvalidState) as exc:
            problems.append(f"#{post.pk}: {exc}")
        except ValidationError as exc:
            problems.append(f"#{post.pk}: {' '.join(exc.messages)}")
    verb = "approved" if action == 1 else "rejected"
    if done:
        modeladmin.message_user(request, f"{done} post(s) {verb}.", messages.SUCCESS)
    for problem in problems:
        modeladmin.message_user(request, problem, messages.WARNING)


@admin.action(description="Approve selected posts")
def approve_posts(modeladmin, request, queryset):
    _review(modeladmin, request, queryset, action=1)


@admin.action(description="Reject selected posts (with feedback)")
def reject_posts(modeladmin, request, queryset):
    form = RejectForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        _review(modeladmin, request, queryset, action=2, feedback=form.cleaned_data["feedback"])
        return None
    return TemplateResponse(
        request,
        "admin/posts/reject.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Reject posts",
            "posts": queryset,
            "form": form,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["id", "__str__", "status", "client", "reseller", "schedule_at", "created_at"]
    list_filter = ["status", ("task__reseller", admin.RelatedOnlyFieldListFilter),
                   ("task__user", admin.RelatedOnlyFieldListFilter), ScheduledFilter]
    search_fields = ["content", "task__title", "task__user__username", "task__reseller__username"]
    list_select_related = ["task__user", "task__reseller"]
    fields = ["task", "content", "hashtags", "schedule_at", "status", "feedback", "created_by",
              "reviewed_by", "reviewed_at", "published_at", "created_at", "updated_at"]
    # Changes go through the services (review actions here; edits in the composer or the API),
    # which validate length, channels and state.
    readonly_fields = fields
    inlines = [ChannelInline, MediaInline, ReviewInline]
    actions = [approve_posts, reject_posts]
    date_hierarchy = "created_at"

    @admin.display(ordering="task__user__username")
    def client(self, obj):
        return obj.task.user

    @admin.display(ordering="task__reseller__username")
    def reseller(self, obj):
        return obj.task.reseller

    def has_add_permission(self, request):
        # Posts are written through the composer or the API, which validate channels and media.
        return False


@admin.register(TaskAssign)
class TaskAssignAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "reseller", "created_at"]
    list_filter = [("reseller", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "user__username", "reseller__username"]
    list_select_related = ["user", "reseller"]


@admin.register(ReviewEvent)
class ReviewEventAdmin(admin.ModelAdmin):
    list_display = ["post", "action", "actor", "created_at"]
    list_filter = ["action"]
    list_select_related = ["post", "actor"]
    readonly_fields = ["post", "actor", "action", "feedback", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
