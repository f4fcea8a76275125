from django.core.management.base import BaseCommand

from idempotency.decorators import purge_expired


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than 24 hours (they are also purged on every keyed request)."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {purge_expired()} expired idempotency keys.")
