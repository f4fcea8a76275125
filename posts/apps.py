from django.apps import AppConfig


class PostsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'posts'

    def ready(self):
        from django.db.models.signals import post_migrate
        from django_q.signals import post_spawn

        from socialhub import qlocks

        from . import counters, dispatcher

        # A worker killed while waiting for a task must not leave its cluster's queue locked.
        qlocks.install()

        # A killed dispatcher loop is replaced as soon as django-q2 respawns the worker.
        post_spawn.connect(dispatcher.revive, dispatch_uid="posts.dispatcher.revive")

        # SQLite drops a table's triggers when a migration rebuilds it: the counters' come back.
        post_migrate.connect(counters.ensure_installed, sender=self, dispatch_uid="posts.counters.ensure_installed")
