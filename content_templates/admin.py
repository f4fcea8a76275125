"""Templates in the admin: staff keep the shared ones here; resellers' own templates are read-only
(their owners change them on the template pages)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from posts.media import check_media

from .models import ContentTemplate, TemplateMedia


class TemplateMediaForm(forms.ModelForm):
    class Meta:
        model = TemplateMedia
        fields = ["file", "alt_text", "order"]

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload and "file" in self.changed_data:
            try:
                [checked] = check_media([upload], [data.get("alt_text", "")])
            except ValidationError as exc:
                raise ValidationError({"file": exc.messages}) from exc
            self.instance.kind, self.instance.mime_type, self.instance.size = checked.kind, checked.mime_type, checked.size
        return data


class TemplateMediaInline(admin.TabularInline):
    model = TemplateMedia
    form = TemplateMediaForm
    extra = 0
    fields = ["file", "alt_text", "order", "kind", "mime_type", "size"]
    readonly_fields = ["kind", "mime_type", "size"]


class TemplateMediaFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("file")]
        try:
            check_media([f.cleaned_data["file"] for f in kept])  # the mix as a whole: 4 images, or one GIF or video
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


TemplateMediaInline.formset = TemplateMediaFormSet


class ContentTemplateForm(forms.ModelForm):
    class Meta:
        model = ContentTemplate
        fields = ["name", "text", "hashtags", "custom_placeholders"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:  # made here, by staff: shared with every reseller
            self.instance.shared, self.instance.owner = True, None


@admin.register(ContentTemplate)
class ContentTemplateAdmin(admin.ModelAdmin):
    form = ContentTemplateForm
    list_display = ["name", "shared", "owner", "updated_at"]
    list_filter = ["shared", ("owner", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "text", "owner__username"]
    list_select_related = ["owner"]
    readonly_fields = ["shared", "owner", "created_by", "created_at", "updated_at"]
    inlines = [TemplateMediaInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # it would delete resellers' own templates too
        return actions

    def has_change_permission(self, request, obj=None):
        # A reseller's own template is theirs to change; staff change the shared ones.
        return super().has_change_permission(request, obj) and (obj is None or obj.shared)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.shared)
