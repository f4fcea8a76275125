from django.apps import AppConfig


class PostsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'posts'

    def ready(self):
        from socials.signals import account_connected, account_disconnected

        from . import publishing

        # A disconnected account's waiting posts are held, and go on once it is reconnected.
        account_disconnected.connect(publishing.hold_waiting, dispatch_uid="posts.publishing.hold_waiting")
        account_connected.connect(publishing.release_held, dispatch_uid="posts.publishing.release_held")

        from django_q.signals import post_spawn

        from socialhub import qlocks

        from . import dispatcher

        # A worker killed while waiting for a task must not leave its cluster's queue locked.
        qlocks.install()

        # A killed dispatcher loop is replaced as soon as django-q2 respawns the worker.
        post_spawn.connect(dispatcher.revive, dispatch_uid="posts.dispatcher.revive")
