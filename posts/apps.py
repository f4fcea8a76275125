from django.apps import AppConfig


class PostsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'posts'

    def ready(self):
        from socialhub import qlocks

        # A worker killed while waiting for a task must not leave its cluster's queue locked.
        qlocks.install()
