from django.apps import AppConfig


class ContentTemplatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "content_templates"
    verbose_name = "content templates"
