"""`manage.py dispatch` hands a due post to the workers at its first poll, beats for
/healthz/publishing, and stops cleanly on SIGTERM (as a deploy or scripts/run stops it)."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

from posts import services
from posts.models import Dispatcher, Post
from tests.conftest import running_database_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def queued_posts() -> list[int]:
    from django_q.models import OrmQ

    return [q.args()[0] for q in OrmQ.objects.all()]


def test_the_dispatch_command_hands_out_a_due_post_at_once_and_stops_on_sigterm(make_post, alice, settings):
    post = make_post(schedule_at=timezone.now() + dt.timedelta(hours=1))
    services.review_post(actor=alice, post=post, action=1)
    Post.objects.filter(pk=post.pk).update(schedule_at=timezone.now() - dt.timedelta(seconds=1))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": running_database_url(),
           "LOG_LEVEL": "INFO"}
    command = subprocess.Popen([sys.executable, "manage.py", "dispatch"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not queued_posts() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert queued_posts() == [post.pk]
        assert (timezone.now() - Dispatcher.objects.get().beat_at).total_seconds() < 2
    finally:
        command.send_signal(signal.SIGTERM)
        output, _ = command.communicate(timeout=10)
    assert command.returncode == 0, output
    assert "Due-post dispatcher: SIGTERM, stopping" in output
