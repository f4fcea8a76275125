"""A publishing process boots without the other networks' client libraries: the dispatcher never
needs them, and a post due right after a deploy waits for the boot (docs/performance.md, "Boot")."""

from tests.conftest import run_probe

HEAVY = ["atproto_client", "mastodon"]  # Bluesky's and Mastodon's clients: about 1.1 s of CPU to import

PROBE = f"""
import sys, django
django.setup()
print(*[name in sys.modules for name in {HEAVY!r}])
from socials.publishers import publisher_for
print(type(publisher_for("bluesky")).__name__, "atproto_client" in sys.modules)
"""


def test_django_setup_leaves_the_networks_clients_unloaded_until_a_channel_needs_one():
    lines = run_probe(PROBE)
    assert lines[:2] == ["False False", "BlueskyPublisher True"]
