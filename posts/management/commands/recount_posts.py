"""Rebuild the post counters (posts.PostCount) from the posts, and put the triggers back if gone."""

from django.core.management.base import BaseCommand

from posts import counters
from posts.models import Post


class Command(BaseCommand):
    help = "Recount the posts per task and state (dashboard tabs, task cards, inbox) and repair the counters."

    def handle(self, *args, **options):
        if not counters.installed():
            counters.install()
            self.stdout.write(self.style.WARNING("The counter triggers were missing: installed them again."))
        wrong = counters.recount()
        for task, status, had, has in wrong:
            label = Post.Status(status).label if status in Post.Status.values else status
            self.stdout.write(f"task {task}, {label}: was {had}, now {has}")
        if wrong:
            self.stdout.write(self.style.WARNING(f"Fixed {len(wrong)} counter(s)."))
        else:
            self.stdout.write(self.style.SUCCESS("All post counters were exact."))
