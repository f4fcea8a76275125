from django.apps import AppConfig


class PostsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'posts'

    def ready(self):
        from django.core import checks

        from socialhub import qlocks

        # A worker killed while waiting for a task must not leave its cluster's queue locked.
        qlocks.install()
        checks.register(qlocks.check_django_q)
