from django.apps import AppConfig


class AgencyConfig(AppConfig):
    """How an agency works with its clients: invitations, review links, comments on posts."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "agency"
    verbose_name = "Agency"
