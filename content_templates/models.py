"""Content templates: text with placeholders, default hashtags and default media a post starts from.

A template belongs to one reseller, or is shared with every reseller (owner empty, made by staff).
Rendering and every rule live in content_templates/services.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from posts.models import MediaFile, MediaFileField


class ContentTemplateQuerySet(models.QuerySet):
    def for_user(self, user):
        """Templates a person may see: a reseller's own and the shared ones; all for staff; none else."""
        if not user.is_authenticated:
            return self.none()
        if user.is_platform_staff:
            return self
        if user.is_reseller:
            return self.filter(Q(owner=user) | Q(shared=True))
        return self.none()

    def with_media(self):
        return self.select_related("owner").prefetch_related("media")


class ContentTemplate(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="content_templates",
        null=True,
        blank=True,
        limit_choices_to={"role": "reseller"},
        help_text="The reseller who keeps it; empty for a template shared with every reseller.",
    )
    shared = models.BooleanField(default=False, help_text="Kept by staff for every reseller.")
    name = models.CharField(max_length=200)
    text = models.TextField(
        blank=True,
        help_text="Placeholders in braces, such as {client_name}; write {{ and }} for literal braces.",
    )
    hashtags = models.JSONField(default=list, blank=True, help_text='Default hashtags, without "#".')
    custom_placeholders = models.JSONField(
        default=list,
        blank=True,
        help_text="Names of extra placeholders asked for when a post is started from the template.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContentTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "content template"
        constraints = [
            # Shared exactly when nobody owns it.
            models.CheckConstraint(
                condition=Q(shared=True, owner__isnull=True) | Q(shared=False, owner__isnull=False),
                name="content_template_shared_has_no_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from . import services

        if self.shared:
            self.owner = None
        services.clean_template_fields(self)


def template_media_path(instance: "TemplateMedia", filename: str) -> str:
    from posts.media import stored_name

    return stored_name("templates", instance.mime_type)  # never the uploaded name


class TemplateMedia(MediaFile):
    """A default image, GIF or video of a template, copied into each post started from it."""

    template = models.ForeignKey(ContentTemplate, on_delete=models.CASCADE, related_name="media")
    file = MediaFileField(upload_to=template_media_path)

    url_owner = "template"

    class Meta(MediaFile.Meta):
        verbose_name = "template media"
        verbose_name_plural = "template media"
