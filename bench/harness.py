"""What the benchmarks and the chaos run share: a PostgreSQL database of their own, the X sandbox in
its own process, real `manage.py qcluster` and `manage.py dispatch` processes (one of each per
simulated machine), and fast seeding with bulk_create.

Everything runs on this machine over loopback. Times that are compared come from one clock: the
sandbox stamps each tweet with time.time() when it creates it, and `schedule_at` is wall time too.
OAUTHLIB_INSECURE_TRANSPORT is set here, for the local plain-http sandbox only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sh_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- The X sandbox ---------------------------------------------------------------------------


class Sandbox:
    """`python -m xsandbox` (or another sandbox `module` taking --host, --port and --quiet) in its
    own process (its CPU is not the benchmark driver's)."""

    def __init__(self, workdir: Path, module: str = "xsandbox", *, port: int | None = None, **flags):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", module, "--host", "127.0.0.1", "--port", str(self.port), "--quiet"]
        for name, value in flags.items():
            args += [f"--{name.replace('_', '-')}", str(value)]
        self.logfile = open(workdir / f"{module.replace('.', '-')}.log", "wb")
        self.process = subprocess.Popen(args, cwd=ROOT, stdout=self.logfile, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/_sandbox/state", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"the sandbox {module} did not start")

    def get(self, route: str) -> dict:
        return requests.get(f"{self.url}/_sandbox/{route}", timeout=30).json()

    def post(self, route: str, **body) -> dict:
        answer = requests.post(f"{self.url}/_sandbox/{route}", json=body, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def tweets(self) -> list[dict]:
        return [t for t in self.get("tweets")["data"] if not t["deleted"]]

    def stop(self) -> None:
        stop_process(self.process)
        self.logfile.close()


def start_gunicorn(env: dict, work: Path, workers: int, port: int | None) -> tuple[subprocess.Popen, str]:
    """The app under gunicorn (production settings from `env`) on loopback, once it answers:
    (its process, its base URL)."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    with socket.socket() as sock:  # another server there would answer for this one
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"something already listens on port {port}")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "socialhub.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--access-logfile", "-", "--no-control-socket"],
        cwd=ROOT, env={**os.environ, **env},
        stdout=open(work / "gunicorn.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 120  # booting 3 workers takes a while on a busy machine
    while True:
        try:
            requests.get(f"{base}/healthz", timeout=5)
            return server, base
        except requests.RequestException:
            if server.poll() is not None or time.monotonic() > deadline:
                stop_process(server)
                raise RuntimeError(f"gunicorn did not start (see {work / 'gunicorn.log'})") from None
            time.sleep(0.2)


def created_at(tweet: dict) -> float:
    """The sandbox's creation time of a tweet, as a Unix timestamp."""
    return dt.datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00")).timestamp()


def stop_process(process: subprocess.Popen, *, grace: float = 10) -> None:
    """SIGTERM the process group we started for it, SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM) if _own_group(process) else process.terminate()
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL) if _own_group(process) else process.kill()
        process.wait(timeout=grace)
    except ProcessLookupError:
        pass


def _own_group(process: subprocess.Popen) -> bool:
    try:
        return os.getpgid(process.pid) == process.pid
    except ProcessLookupError:
        return False


# --- Django, the database, the broker -------------------------------------------------------


def environment(*, database_url: str, sandbox_url: str, redis_url: str = "", **settings) -> dict[str, str]:
    """The environment of the benchmark's Django processes (this one and every qcluster):
    production settings (DEBUG off) with throwaway secrets, pointed at the sandbox."""
    from cryptography.fernet import Fernet

    env = {
        "DJANGO_SETTINGS_MODULE": "socialhub.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SECURE_HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "X_API_URL": sandbox_url,
        "X_WEB_URL": sandbox_url,
        "OAUTHLIB_INSECURE_TRANSPORT": "1",  # the sandbox is plain http on loopback
        "LOG_LEVEL": "INFO",
        "TWITTER_CLIENT_ID": "sandbox-client-id",
        "TWITTER_CLIENT_SECRET": "sandbox-client-secret",
    }
    env.update({name.upper(): str(value) for name, value in settings.items()})
    return env


def setup_django(env: dict[str, str], *, fresh: bool = False) -> None:
    """Configure this process with `env`, make the database exist and be migrated and empty;
    with `fresh`, a new database (dropped and created again) is migrated from nothing."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    _create_database(env["DATABASE_URL"], drop=fresh)
    import django

    django.setup()
    import logging

    logging.getLogger().setLevel(logging.WARNING)  # the driver's own log stays quiet
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: the manifest is needed
    empty_database()
    if env.get("REDIS_URL"):
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # our own Redis db number only


def pipeline_environment(
    args, sandbox: Sandbox, *, batch_size: int | None = None, fresh: bool = False, **settings
) -> dict[str, str]:
    """The run's environment from its common flags (database, broker, workers, threads), with
    this process set up on it (see setup_django)."""
    env = environment(
        database_url=args.database_url,
        sandbox_url=sandbox.url,
        redis_url=args.redis_url if args.broker == "redis" else "",
        q_workers=args.workers,
        publish_threads=args.threads,
        publish_batch_size=batch_size or 2 * args.threads,
        **settings,
    )
    setup_django(env, fresh=fresh)
    return env


def start_clusters(args, env: dict[str, str], work: Path, clusters: list, *, wait: bool = True,
                   generation: int = 1) -> None:
    """Start `args.clusters` machines (qcluster and dispatcher each) and, with `wait`, wait until
    their workers are ready. Each is appended to `clusters` as it starts, so the caller's clean-up
    stops it even if a later one fails. Each generation of machines has new host names."""
    new = []
    for n in range(args.clusters):
        name = f"cluster{n + 1}" + (f"-gen{generation}" if generation > 1 else "")
        new.append(Cluster(env, work, name, hostname=f"bench-{secrets.token_hex(3)}"))
        clusters.append(new[-1])
    if wait:
        for cluster in new:
            cluster.wait_ready(args.workers)


def _create_database(url: str, *, drop: bool = False) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if drop:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


KEEP_TABLES = {"django_migrations", "django_content_type", "auth_permission", "django_site", "django_q_schedule"}


def empty_database() -> None:
    from django.db import connection

    tables = [t for t in connection.introspection.table_names() if t not in KEEP_TABLES]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        # The schedules the migrations made stay; a flush a run left for one of its people goes
        # with them (ids restart: the next run's reseller would find it overdue, with no scheduler
        # running to take it in bench.cpu).
        cursor.execute("DELETE FROM django_q_schedule WHERE name LIKE %s", ["notifications-flush-%"])


# --- Seeding ---------------------------------------------------------------------------------


def seed_clients(count: int, *, prefix: str = "client") -> list:
    """`count` clients, each with a task, all under one reseller (`.task` and `.reseller` set)."""
    from accounts.models import User
    from posts.models import TaskAssign

    reseller = User.objects.create(username="bench-reseller", role=User.Role.RESELLER)
    clients = User.objects.bulk_create(
        [User(username=f"{prefix}{i}", role=User.Role.CLIENT) for i in range(count)]
    )
    tasks = TaskAssign.objects.bulk_create(
        [TaskAssign(user=c, reseller=reseller, title=f"Task for {c.username}") for c in clients]
    )
    for client, task in zip(clients, tasks):
        client.task, client.reseller = task, reseller
    return clients


def x_account(sandbox: Sandbox, client, *, premium: bool = False):
    """The client's X account (not saved yet), registered in the sandbox with OAuth 2.0 user tokens;
    with `premium`, an X Premium subscriber (long posts)."""
    from django.utils import timezone

    from socials.models import Account

    subscription = {"verified_type": "blue", "subscription_type": "Premium"} if premium else {}
    user = sandbox.post("users", username=f"{client.username}_x", **subscription)
    return Account(
        user=client,
        provider="twitter",
        provider_account_id=user["id"],
        username=user["username"],
        token_type=Account.TokenType.OAUTH2_USER,
        oauth2_access_token=user["oauth2"]["access_token"],
        oauth2_refresh_token=user["oauth2"]["refresh_token"],
        expires_at=timezone.now() + dt.timedelta(seconds=user["oauth2"]["expires_in"]),
        **subscription,
    )


def seed_accounts(sandbox: Sandbox, count: int, *, prefix: str = "client", premium=lambda i: False) -> list:
    """One client per X account, each registered in the sandbox with OAuth 2.0 user tokens, all
    under one reseller. Returns the accounts (with .task set to the client's task). `premium(i)`:
    whether the i-th account is an X Premium subscriber (long posts)."""
    from socials.models import Account

    clients = seed_clients(count, prefix=prefix)
    accounts = Account.objects.bulk_create(
        [x_account(sandbox, client, premium=premium(i)) for i, client in enumerate(clients)]
    )
    for account, client in zip(accounts, clients):
        account.task, account.reseller = client.task, client.reseller
    return accounts


def seed_posts(accounts: list, schedule_at: list[dt.datetime], *, text="Bench post {i}") -> list[int]:
    """Approved posts, one channel each (queued), round-robin over the accounts. Returns their ids.
    `text`: a template with {i}, or a function of i."""
    from posts.models import Post, PostChannel

    posts = Post.objects.bulk_create(
        [
            Post(
                task=accounts[i % len(accounts)].task,
                created_by=accounts[i % len(accounts)].reseller,
                content=text(i) if callable(text) else text.format(i=i),
                status=Post.Status.APPROVED,
                schedule_at=when,
            )
            for i, when in enumerate(schedule_at)
        ],
        batch_size=1000,
    )
    PostChannel.objects.bulk_create(
        [PostChannel(post=p, account=accounts[i % len(accounts)]) for i, p in enumerate(posts)], batch_size=1000
    )
    return [p.pk for p in posts]


# --- Clusters --------------------------------------------------------------------------------


# As scripts/run and docs/deploy.md start them: the system checks ran at migrate.
PROCESS_FLAGS = {"qcluster": ["--skip-checks"]}


class Cluster:
    """One machine's publishing processes: `manage.py qcluster` and `manage.py dispatch` beside it,
    each in its own process group, logging to files. With `hostname`, both run under that host name
    (a UTS namespace, when this process may make one), as a restarted container would."""

    def __init__(self, env: dict[str, str], workdir: Path, name: str, *, hostname: str = ""):
        self.name = name
        self.env = {**os.environ, **env}
        self.workdir, self.hostname = workdir, hostname
        self.logpath = workdir / f"{name}.log"
        self.logfile = open(self.logpath, "ab")
        self.process = self._start("qcluster", self.logfile)
        self.dispatch_logfile = open(workdir / f"{name}-dispatch.log", "ab")
        self.dispatcher = self._start("dispatch", self.dispatch_logfile)

    def _start(self, command: str, logfile) -> subprocess.Popen:
        return subprocess.Popen(
            _with_hostname([sys.executable, "manage.py", command, *PROCESS_FLAGS.get(command, [])], self.hostname),
            cwd=ROOT,
            env=self.env,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stopping it stops its children
        )

    def revive_dispatcher(self) -> bool:
        """Restart the dispatcher if it died, as the machine's process supervisor would."""
        if self.dispatcher.poll() is None:
            return False
        self.dispatcher = self._start("dispatch", self.dispatch_logfile)
        return True

    def worker_pids(self) -> list[int]:
        """The live worker processes of this cluster (from django-q2's "ready for work" lines)."""
        text = self.logpath.read_text(errors="replace")
        pids = {int(p) for p in re.findall(r"ready for work at (\d+)", text)}
        return sorted(p for p in pids if _alive_in_group(p, self.process.pid))

    def wait_ready(self, workers: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.worker_pids()) < workers:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"cluster {self.name} did not start; see {self.logpath}")
            time.sleep(0.2)

    def stop(self, *, kill: bool = False) -> None:
        """Stop both process groups: SIGTERM with a grace period, or at once with SIGKILL."""
        for process in (self.dispatcher, self.process):
            if kill and process.poll() is None and _own_group(process):
                os.killpg(process.pid, signal.SIGKILL)
            stop_process(process, grace=15)
        self.logfile.close()
        self.dispatch_logfile.close()


def _with_hostname(args: list[str], hostname: str) -> list[str]:
    if not hostname or os.geteuid() != 0 or not shutil.which("unshare"):
        return args
    return ["unshare", "--uts", "sh", "-c", 'hostname "$0" && exec "$@"', hostname, *args]


def _alive_in_group(pid: int, group: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return fields[0] not in ("Z", "X") and int(fields[2]) == group
    except (OSError, ValueError, IndexError):
        return False


def stop_all(clusters: list[Cluster], sandbox: Sandbox | None) -> None:
    for cluster in clusters:
        cluster.stop()
    if sandbox:
        sandbox.stop()


@contextmanager
def workdir(keep: str | None = None):
    path = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="socialhub-bench-"))
    path.mkdir(parents=True, exist_ok=True)
    yield path


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def verdict(rows: list[tuple[str, str, str, bool]]) -> int:
    """Print figure / target / pass lines; return the exit status (1 if a target is missed)."""
    width = max(len(r[0]) for r in rows)
    for name, figure, target, ok in rows:
        print(f"{name.ljust(width)}  {figure:>14}   target {target:<16} {'ok' if ok else 'MISSED'}")
    missed = [r[0] for r in rows if not r[3]]
    print("RESULT:", "all targets met" if not missed else "missed: " + ", ".join(missed))
    return 1 if missed else 0


def dump(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, default=str))
