"""A publishing process boots without the other networks' client libraries: the dispatcher never
needs them, and a post due right after a deploy waits for the boot (docs/performance.md, "Boot")."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ["atproto_client", "mastodon"]  # Bluesky's and Mastodon's clients: about 1.1 s of CPU to import

PROBE = f"""
import sys, django
django.setup()
print(*[name in sys.modules for name in {HEAVY!r}])
from socials.publishers import publisher_for
print(type(publisher_for("bluesky")).__name__, "atproto_client" in sys.modules)
"""


def test_django_setup_leaves_the_networks_clients_unloaded_until_a_channel_needs_one():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "socialhub.settings", "DEBUG": "1"}
    answer = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.split("\n")[:2] == ["False False", "BlueskyPublisher True"]
