"""Shared fixtures: named people and the objects they own.

alice is a client, rita her reseller; bob is another client with his own reseller rex; sam is
staff; mallory is a client with no tasks and no accounts.
"""

import datetime as dt
import io
import os
import random
import subprocess
import sys
import threading
import zoneinfo
from pathlib import Path

import pytest
import responses
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from accounts.models import User
from posts import services
from posts.models import TaskAssign
from socials.models import Account


@pytest.fixture(scope="session", autouse=True)
def _no_session_left_open(django_db_setup, django_db_blocker):
    """At the end of the run, nothing the tests started (a thread, a worker process) may still be
    connected to the test database: PostgreSQL cannot drop it then, and pytest-django only warns
    and leaves it behind. Waits a little for processes on their way out, then ends the sessions
    left and warns, naming them."""
    import gc
    import time
    import warnings

    from posts import publishing

    yield
    publishing.stop_senders()
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        connection.close()  # a fresh session: the last test may have left this one broken
        deadline = time.monotonic() + 15
        while True:
            # A finished thread's connection closes when its thread-local storage is collected;
            # only a session something still running holds counts as left open.
            gc.collect()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid, application_name, state, left(query, 80) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                others = cursor.fetchall()
            if not others or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        if others:
            # Still open after 15 s: end them so the test database can be dropped, and say so.
            # (One idle session, last statement ROLLBACK, is left by some test now and then; not
            # yet traced.)
            with connection.cursor() as cursor:
                for pid, *_ in others:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            warnings.warn(f"sessions still open on the test database at the end of the run, ended: {others}")
        connection.close()


def make_user(username: str, role: str) -> User:
    return User.objects.create_user(
        username=username, email=f"{username}@example.com", password="pw-" + username, role=role
    )


@pytest.fixture
def alice(db):
    return make_user("alice", User.Role.CLIENT)


@pytest.fixture
def bob(db):
    return make_user("bob", User.Role.CLIENT)


@pytest.fixture
def rita(db):
    return make_user("rita", User.Role.RESELLER)


@pytest.fixture
def rex(db):
    return make_user("rex", User.Role.RESELLER)


@pytest.fixture
def sam(db):
    return make_user("sam", User.Role.STAFF)


@pytest.fixture
def mallory(db):
    return make_user("mallory", User.Role.CLIENT)


@pytest.fixture
def task(alice, rita):
    return TaskAssign.objects.create(user=alice, reseller=rita, title="Spring launch")


@pytest.fixture
def bob_task(bob, rex):
    return TaskAssign.objects.create(user=bob, reseller=rex, title="Bob's bakery")


def make_account(user: User, username: str, **fields) -> Account:
    defaults = {
        "provider_account_id": str(abs(hash(username)) % 10**12),
        "username": username,
        "token_type": Account.TokenType.OAUTH2_USER,
        "oauth2_access_token": f"access-{username}",
        "oauth2_refresh_token": f"refresh-{username}",
        "expires_at": timezone.now() + dt.timedelta(hours=2),
    }
    defaults.update(fields)
    return Account.objects.create(user=user, **defaults)


def sandbox_control(sandbox_url: str, route: str, **body) -> dict:
    """POST to the X sandbox's control API (/_sandbox/<route>) and return its JSON answer."""
    import requests

    answer = requests.post(f"{sandbox_url}/_sandbox/{route}", json=body, timeout=5)
    assert answer.status_code < 300, answer.text
    return answer.json()


def sandbox_account(sandbox_url: str, user: User, username: str, x_user: dict | None = None) -> Account:
    """A client's X account connected to the sandbox with the sandbox's ready-made OAuth 2.0 tokens
    (for `x_user`, an answer of POST /_sandbox/users, or a new sandbox user of that name)."""
    x_user = x_user or sandbox_control(sandbox_url, "users", username=username)
    return Account.objects.create(
        user=user,
        provider_account_id=x_user["id"],
        username=username,
        token_type=Account.TokenType.OAUTH2_USER,
        oauth2_access_token=x_user["oauth2"]["access_token"],
        oauth2_refresh_token=x_user["oauth2"]["refresh_token"],
        expires_at=timezone.now() + dt.timedelta(seconds=x_user["oauth2"]["expires_in"]),
    )


@pytest.fixture
def x_sandbox(settings):
    """The local X sandbox (xsandbox) on a free port, with the app talking to it and linking tweets
    there. tests/browser/conftest.py has its own, which also configures the X apps for signing in."""
    from xsandbox import start_sandbox

    sb = start_sandbox(port=0, quiet=True)
    settings.X_API_URL = settings.X_WEB_URL = sb.url
    yield sb
    sb.stop()


@pytest.fixture
def alice_account(alice):
    return make_account(alice, "alice_x")


@pytest.fixture
def bob_account(bob):
    return make_account(bob, "bob_x")


@pytest.fixture
def make_post(task, rita, alice_account):
    """Create a post through the service, as rita for alice unless told otherwise."""

    def _make(**overrides):
        kwargs = {
            "author": rita,
            "task": task,
            "content": "Spring is here",
            "hashtags": ["spring"],
            "account_ids": [alice_account.pk],
        }
        kwargs.update(overrides)
        return services.create_post(**kwargs)

    return _make


@pytest.fixture
def approved(make_post, alice):
    """Create a post (as make_post) and have alice approve it."""

    def _approve(**overrides):
        post = make_post(**overrides)
        services.review_post(actor=alice, post=post, action=1)
        return post

    return _approve


# X's API as the `x` fixture answers it (the x_api fixture points the app at it).
X_API = "https://api.x.com"


@pytest.fixture
def x(request):
    """X's API answered by `responses`: register the answers a test needs. Under
    @pytest.mark.strict_x every registered answer must be asked for."""
    strict = request.node.get_closest_marker("strict_x") is not None
    with responses.RequestsMock(assert_all_requests_are_fired=strict) as mock:
        yield mock


def in_turn(*answers):
    """A `responses` callback giving one answer a request, in turn: a (status, headers, body) is
    X's answer, an exception is raised as the connection's failure (a lost answer)."""
    answers = iter(answers)

    def answer(request):
        got = next(answers)
        if isinstance(got, Exception):
            raise got
        return got

    return answer


@pytest.fixture
def x_api(settings):
    """The app talks to X at X_API, links tweets at https://x.com and reconciles without pausing."""
    settings.X_API_URL = X_API
    settings.X_WEB_URL = "https://x.com"
    settings.PUBLISH_RECONCILE_DELAY_SECONDS = 0


# X as the socials tests' `responses` answer it, with the project's X apps configured (x_app).
X_APP_API = "https://api.x.test"
X_APP_AUTHORIZE = "https://x.test/i/oauth2/authorize"


def x_app_settings(settings, *, api_url: str, authorize_url: str) -> None:
    settings.X_API_URL, settings.X_OAUTH2_AUTHORIZE_URL = api_url, authorize_url
    settings.TWITTER_CLIENT_ID, settings.TWITTER_CLIENT_SECRET = "cid", "csecret"
    settings.TWITTER_CONSUMER_KEY, settings.TWITTER_CONSUMER_SECRET = "ckey", "csecret1"
    settings.TWITTER_BEARER_TOKEN = "app-bearer"
    providers = {name: dict(conf) for name, conf in settings.SOCIALACCOUNT_PROVIDERS.items()}
    providers["twitter_oauth2"]["APPS"] = [{"client_id": "cid", "secret": "csecret"}]
    providers["twitter"]["APPS"] = [{"client_id": "ckey", "secret": "csecret1"}]
    settings.SOCIALACCOUNT_PROVIDERS = providers


@pytest.fixture
def x_app(settings):
    """X at X_APP_API with the project's OAuth 2.0 and OAuth 1.0a apps configured."""
    x_app_settings(settings, api_url=X_APP_API, authorize_url=X_APP_AUTHORIZE)
    return settings


# Smallest valid files of each kind, recognised by their magic bytes.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
GIF_BYTES = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


def mp4_box(kind: bytes, payload: bytes = b"") -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


# The boxes an MP4 video needs to pass posts.media.is_mp4_video: ftyp, a moov with a video
# track (trak > mdia > hdlr "vide"), and an mdat with data.
MP4_BYTES = (
    mp4_box(b"ftyp", b"mp42\x00\x00\x00\x00mp42isom")
    + mp4_box(b"moov", mp4_box(b"mvhd", b"\x00" * 100) + mp4_box(b"trak", mp4_box(b"tkhd", b"\x00" * 84) + mp4_box(
        b"mdia", mp4_box(b"mdhd", b"\x00" * 24) + mp4_box(b"hdlr", b"\x00" * 8 + b"vide" + b"\x00" * 13)
    )))
    + mp4_box(b"mdat", b"\x00" * 64)
)


def next_date(month: int, day: int, hour: int, minute: int, tz: str = "UTC") -> dt.datetime:
    """The next such local time from now: always in the future and at most a year ahead, so it
    can be scheduled whatever day the tests run."""
    zone = zoneinfo.ZoneInfo(tz)
    now = timezone.now()
    when = dt.datetime(now.year, month, day, hour, minute, tzinfo=zone)
    return when if when > now else when.replace(year=now.year + 1)


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def png():
    return upload("photo.png", PNG_BYTES, "image/png")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _no_flush_remembered():
    """Each test's database starts without flush schedules: the process must not remember one
    (notifications.services._flush_due) from a test before."""
    from notifications import services as notification_services

    notification_services._flush_due.clear()


@pytest.fixture
def bytes_io():
    return io.BytesIO


def running_database_url() -> str:
    """The test database as a DATABASE_URL, for the processes a test starts."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def dispatching():
    """The due-post dispatcher (what `manage.py dispatch` runs) polling in a thread of this
    process until the test ends. Needs a transactional database."""
    import threading

    from django.db import connection

    from posts import dispatcher

    stop = threading.Event()

    def run():
        try:
            dispatcher.run(stop=stop)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield thread
    stop.set()
    thread.join(timeout=10)


def write_concurrently(step, *, writers: int = 6, rounds: int = 30) -> None:
    """Run `step(rng)` `rounds` times in each of `writers` threads at once (PostgreSQL: each its own
    connection), each time in a transaction; a deadlock victim's transaction is rolled back whole,
    as in production. Fails with the errors the writers met. Needs django_db(transaction=True)."""
    start, errors = threading.Barrier(writers), []

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            start.wait()
            for _ in range(rounds):
                try:
                    with transaction.atomic():
                        step(rng)
                except OperationalError as exc:  # a deadlock victim is rolled back whole: nothing half-counted
                    if "deadlock" not in str(exc):
                        raise
        except Exception as exc:  # noqa: BLE001 - reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def run_probe(code: str) -> list[str]:
    """Run `code` in a fresh Python process with the project's settings (a process of its own: what
    it imports or freezes must not leak into the test run), and return the lines it printed."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "socialhub.settings", "DEBUG": "1"}
    answer = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1], env=env,
                            capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stderr
    return answer.stdout.split("\n")
