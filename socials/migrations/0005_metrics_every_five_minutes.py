"""The metrics job runs every five minutes: it reads only the posts due (socials.analytics.due_for_metrics),
so a post's first numbers come 15 minutes after publishing rather than at the next hourly run."""

from django.db import migrations

NAME = "Refresh X post metrics"


def every(minutes):
    def change(apps, schema_editor):
        apps.get_model("django_q", "Schedule").objects.filter(name=NAME).update(minutes=minutes)

    return change


class Migration(migrations.Migration):
    dependencies = [("socials", "0004_account_premium")]

    operations = [migrations.RunPython(every(5), every(60))]
