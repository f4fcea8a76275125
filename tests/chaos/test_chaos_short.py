"""The chaos run, short: 40 posts to every network at once (X, Mastodon, Bluesky, LinkedIn, Facebook,
Instagram; threads where the network has them, Instagram only the half that carry an image, which
it fetches from the app's signed links), two clusters, the X sandbox failing, losing answers and expiring
tokens, the platform sandbox failing and losing answers, workers and dispatchers killed with
SIGKILL for the run's first 40 s, and every cluster restarted at once mid-run. On every network
no post is lost, stuck or posted twice (python -m chaos). The kills stop so that the run shows every
post settling once the faults end: killed without end, a post on a slow machine can lose a worker
at every try (a lease of 20 s each time), which says nothing about the code. CI's run of 1
December at 05:02 had one Bluesky post still unsettled after 100 s of kills every 3 s (31 kills);
a post no worker ever takes stays unsettled here as well, and the report names it."""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from chaos.networks import NETWORKS

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def chaos_database_url(worker_id: str) -> str:
    db = settings.DATABASES["default"]
    url = os.environ.get("DATABASE_URL", "")
    name = f"{db['NAME'].removeprefix('test_')}_chaos_{worker_id}"
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@pytest.fixture
def chaos_database(worker_id):
    """The chaos run's own database (it creates it), dropped afterwards so no run leaves it behind."""
    import psycopg

    url = chaos_database_url(worker_id)
    yield url
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        # FORCE (PostgreSQL 13+): a killed worker's session may not be gone yet.
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the chaos run needs PostgreSQL (several machines share one database)",
)
def test_posts_to_every_network_through_faults_and_killed_workers_are_each_published_once_or_failed_with_a_reason(
    chaos_database, tmp_path
):
    run = subprocess.Popen(
        [sys.executable, "-m", "chaos", "--posts", "40", "--accounts", "4", "--spread", "8",
         "--clusters", "2", "--workers", "3", "--threads", "4", "--kill-every", "3", "--kill-for", "40",
         "--seed", "11", "--timeout", "200", "--database-url", chaos_database, "--workdir", str(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
    )
    try:
        # The run stops itself after --timeout; this limit only catches a hang (set-up included,
        # which takes minutes on a loaded machine).
        stdout, stderr = run.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        run.terminate()  # TERM, not KILL: the run stops the clusters and sandboxes it started
        stdout, stderr = run.communicate(timeout=60)
        pytest.fail(f"the chaos run hung\n{stdout}{stderr[-3000:]}")
    report = stdout + stderr[-3000:]
    assert run.returncode == 0, report
    assert "RESULT: all targets met" in stdout, report
    kills = int(re.search(r"(\d+) worker\(s\) SIGKILLed", stdout).group(1))
    assert kills >= 2, report
    assert "every cluster restarted at once 1 time(s)" in stdout, report
    failed, lost = map(int, re.search(r"platform sandbox: (\d+) creates answered 503, (\d+) answers lost",
                                      stdout).groups())
    assert failed >= 1 and lost >= 1, report
    fetches = int(re.search(r"the site served (\d+) signed image links", stdout).group(1))
    # 8 of the 40 posts are threads of 3, which skip networks without threads; 20 carry an image, 16
    # of them no thread: those go to Instagram, which fetches each image at least once.
    expected = {"twitter": 40, "mastodon": 40, "bluesky": 40, "linkedin": 32, "facebook": 32, "instagram": 16}
    assert fetches >= 16, report
    for network in NETWORKS:
        row = re.search(rf"^{network.label} +(\d+) +(\d+) +(\d+) +(\d+) +0 +0 +0 +0$", stdout, re.M)
        assert row, report
        channels, published, failed, held = map(int, row.groups())
        assert channels == expected[network.provider] == published + failed, report
        assert held == channels + (2 * 8 if network.threads else 0) or failed, report
