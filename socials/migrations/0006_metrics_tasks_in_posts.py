"""The metrics jobs live in posts (socials knows nothing of posts): the five-minute read becomes
posts.tasks.refresh_metrics, and a minute job reads just-published posts' first numbers
(posts.tasks.refresh_first_metrics) instead of a one-off schedule per published post."""

from django.db import migrations

HOURLY = "Refresh X post metrics"
FIRST = "Read just-published posts' first X metrics"


def to_posts(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name=HOURLY).update(func="posts.tasks.refresh_metrics")
    Schedule.objects.filter(func="socials.tasks.refresh_post_metrics").delete()
    Schedule.objects.update_or_create(
        name=FIRST,
        defaults={"func": "posts.tasks.refresh_first_metrics", "schedule_type": "I", "minutes": 1, "repeats": -1},
    )


def to_socials(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name=HOURLY).update(func="socials.tasks.refresh_metrics")
    Schedule.objects.filter(name=FIRST).delete()


class Migration(migrations.Migration):
    dependencies = [("socials", "0005_metrics_every_five_minutes")]

    operations = [migrations.RunPython(to_posts, to_socials)]
