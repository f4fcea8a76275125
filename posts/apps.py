from django.apps import AppConfig


class PostsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'posts'

    def ready(self):
        from django.core import checks
        from django.db.models.signals import post_migrate

        from django_q.signals import post_execute_in_worker

        from socialhub import qlocks, timestamps, warmup
        from socials.signals import account_connected, account_disconnected

        from . import counters, publishing

        # A disconnected account's waiting posts are held, and go on once it is reconnected.
        account_disconnected.connect(publishing.hold_waiting, dispatch_uid="posts.publishing.hold_waiting")
        account_connected.connect(publishing.release_held, dispatch_uid="posts.publishing.release_held")

        # A worker killed while waiting for a task must not leave its cluster's queue locked.
        qlocks.install()
        checks.register(qlocks.check_django_q)
        post_execute_in_worker.connect(warmup.freeze_after_first_task, dispatch_uid="socialhub.warmup.freeze")

        # Times read by psycopg's C parser, not Django's loader built on its Python one.
        timestamps.install()

        # SQLite drops a table's triggers when a migration rebuilds it: the counters' come back.
        post_migrate.connect(counters.ensure_installed, sender=self, dispatch_uid="posts.counters.ensure_installed")
