from django.apps import AppConfig


class CostsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "costs"
    verbose_name = "X costs"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import rollup

        # SQLite drops a table's triggers when a migration rebuilds it: the spend rollup's come back.
        post_migrate.connect(rollup.ensure_installed, sender=self, dispatch_uid="costs.rollup.ensure_installed")
