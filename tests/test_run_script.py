"""`scripts/run`, the README's command, on the embedded default (SQLite, django-q2's ORM broker):
an approved post due now goes out to X (the sandbox it starts), and after SIGTERM no process of its
web server, X sandbox, qcluster (sentinel, monitor, pusher, workers) or dispatcher lives on, even
while a worker is busy with a long task."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from bench.harness import free_port

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.e2e


def processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, process group, command line) of every live process."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if fields[0] not in ("Z", "X"):
            found[int(entry)] = (int(fields[1]), int(fields[2]), command)
    return found


def descendants(root: int) -> dict[int, tuple[int, int, str]]:
    table = processes()
    family, grew = {root}, True
    while grew:
        children = {pid for pid, (ppid, _, _) in table.items() if ppid in family} - family
        family |= children
        grew = bool(children)
    return {pid: table[pid] for pid in family - {root} if pid in table}


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# Run in `manage.py shell` beside scripts/run: an X account registered in its sandbox, an approved
# post due now to it, then the post's status once it settles (or after 60 s), and the reseller's
# notification of it.
PUBLISH_ONE = """
import datetime as dt, time, requests
from django.utils import timezone
from accounts.models import User
from posts.models import Post, PostChannel, TaskAssign
from socials.models import Account
x = requests.post("{sandbox}/_sandbox/users", json={{"username": "first_x"}}, timeout=10).json()
client = User.objects.create(username="first-client", role=User.Role.CLIENT)
reseller = User.objects.create(username="first-reseller", role=User.Role.RESELLER)
task = TaskAssign.objects.create(user=client, reseller=reseller, title="First")
account = Account.objects.create(
    user=client, provider="twitter", provider_account_id=x["id"], username=x["username"],
    token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token=x["oauth2"]["access_token"],
    oauth2_refresh_token=x["oauth2"]["refresh_token"],
    expires_at=timezone.now() + dt.timedelta(seconds=x["oauth2"]["expires_in"]))
post = Post.objects.create(task=task, created_by=reseller, content="First post & more",
                           status=Post.Status.APPROVED, schedule_at=timezone.now())
PostChannel.objects.create(post=post, account=account)
deadline = time.monotonic() + 60
while time.monotonic() < deadline and post.status not in (Post.Status.PUBLISHED, Post.Status.FAILED):
    time.sleep(0.5)
    post.refresh_from_db()
print("status:", post.get_status_display(), post.channels.get().last_error)
from notifications.models import PendingNotification
while time.monotonic() < deadline and not PendingNotification.objects.filter(recipient=reseller).exists():
    time.sleep(0.5)  # the reseller's "published" e-mail, queued after the worker's commit
print("reseller notified:", list(PendingNotification.objects.filter(recipient=reseller).values_list("kind", flat=True)))
"""


def test_scripts_run_publishes_and_nothing_it_started_outlives_it_after_sigterm(tmp_path):
    port, sandbox_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TWITTER_", "X_"))}
    env.update(
        PORT=str(port), SANDBOX_PORT=str(sandbox_port), Q_WORKERS="2", STOP_GRACE="5",
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}", MEDIA_ROOT=str(tmp_path / "media"),
    )
    log = open(tmp_path / "run.log", "wb")
    script = subprocess.Popen(
        ["bash", "scripts/run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    started: dict[int, tuple[int, int, str]] = {}
    groups: set[int] = set()

    def left() -> list[int]:
        table = processes()
        return [
            pid for pid, (_, pgid, command) in table.items()
            if pgid in groups or (pid in started and started[pid][2] == command)
        ]

    try:
        def everything_up():
            family = descendants(script.pid)
            commands = [command for _, _, command in family.values()]
            qcluster = sum("manage.py qcluster" in c for c in commands)
            up = (
                qcluster >= 5  # main process, sentinel, monitor, pusher, 2 workers (one may still start)
                and any("manage.py dispatch" in c for c in commands)
                and any("xsandbox" in c for c in commands)
            )
            if up:
                try:
                    requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).raise_for_status()
                except requests.RequestException:
                    return None
            return family if up else None

        family = wait_for(everything_up, 180, f"scripts/run to start everything (log: {tmp_path / 'run.log'})")
        started.update(family)  # from now on a failure still stops what it started (finally)
        groups.update({pgid for _, pgid, _ in started.values()} - {os.getpgrp()})
        published = subprocess.run(
            [".venv/bin/python", "manage.py", "shell", "-c", PUBLISH_ONE.format(sandbox=f"http://127.0.0.1:{sandbox_port}")],
            cwd=ROOT, env={**env, "DEBUG": "1"}, capture_output=True, text=True, timeout=120,
        )
        assert "status: Published" in published.stdout, published.stdout + published.stderr[-3000:]
        assert "reseller notified: ['post_published']" in published.stdout, published.stdout
        # A worker busy with a long task (a slow send) holds qcluster's graceful stop.
        subprocess.run(
            [".venv/bin/python", "manage.py", "shell", "-c",
             "from django_q.tasks import async_task; async_task('time.sleep', 120)"],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )

        def taken():
            health = requests.get(f"http://127.0.0.1:{port}/healthz/publishing", timeout=5).json()
            return health["queue_depth"] == 0

        wait_for(taken, 20, "a worker to take the long task")
        started.update(descendants(script.pid))
        groups.update({pgid for _, pgid, _ in started.values()} - {os.getpgrp()})

        script.send_signal(signal.SIGTERM)
        script.wait(timeout=30)
        wait_for(lambda: not left(), 5, "every process scripts/run started to end")
    finally:
        if script.poll() is None:
            script.kill()
        for pid in left():  # only what this test started, found by its process ids and groups
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()
