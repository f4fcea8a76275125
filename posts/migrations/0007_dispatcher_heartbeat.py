from django.db import migrations


def unschedule_dispatcher(apps, schema_editor):
    """`manage.py dispatch` replaces the minute schedule that started a dispatcher loop in a
    worker; its schedule goes, and so do the 60 s "Dispatch due posts" rows it left in the admin's
    task lists."""
    apps.get_model("django_q", "Schedule").objects.filter(func="posts.tasks.dispatch").delete()
    apps.get_model("django_q", "Task").objects.filter(func="posts.tasks.dispatch").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('posts', '0006_post_version'),
        ('django_q', '0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='dispatcher',
            name='owner',
        ),
        migrations.RemoveField(
            model_name='dispatcher',
            name='started_at',
        ),
        migrations.RemoveField(
            model_name='dispatcher',
            name='token',
        ),
        migrations.RunPython(unschedule_dispatcher, migrations.RunPython.noop),
    ]
