from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from posts.models import TaskAssign

DEMO_PASSWORD = "socialhub-demo"
PEOPLE = [
    ("sam", "Sam Staff", User.Role.STAFF),
    ("rita", "Rita Reseller", User.Role.RESELLER),
    ("alice", "Alice Client", User.Role.CLIENT),
]


class Command(BaseCommand):
    help = "Create the demo staff (sam), reseller (rita) and client (alice), with one task. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {}
        for username, full_name, role in PEOPLE:
            first, last = full_name.split(" ", 1)
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@example.com", "first_name": first, "last_name": last, "role": role},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            users[username] = user
        TaskAssign.objects.get_or_create(
            user=users["alice"], reseller=users["rita"],
            defaults={"title": "Alice's launch campaign", "brief": "Announce the spring collection."},
        )
        self.stdout.write(
            f"Demo users sam (staff), rita (reseller), alice (client); password: {DEMO_PASSWORD}"
        )
