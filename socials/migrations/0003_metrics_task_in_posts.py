"""The hourly metrics job moved to posts (posts.tasks.refresh_metrics): socials knows nothing of posts."""

from django.db import migrations

NAME = "Refresh X post metrics"


def to_posts(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).update(func="posts.tasks.refresh_metrics")


def to_socials(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).update(func="socials.tasks.refresh_metrics")


class Migration(migrations.Migration):
    dependencies = [("socials", "0002_metrics_schedule")]

    operations = [migrations.RunPython(to_posts, to_socials)]
