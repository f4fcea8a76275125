"""Preview: how long the composer's live preview (POST /posts/preview) takes for the longest valid
posts, and how fast an oversized one is refused.

    python -m bench.preview [--runs 50]

Runs the view in process (Django's test client, a logged-in reseller, SQLite in memory): no
network, so the figure is the server's own work. Cases: one 280-character post (plain, and
mixed CJK/emoji/URLs), a 25-part thread of such parts, that post to accounts on all six networks
(each network's text, count and card header), and a 9 MB body (refused with 413 by
socialhub/middleware.py before anything reads it; the time includes the test client building the
9 MB request). Prints median and max per case; target: the
longest valid post well under 50 ms. Exits 1 when it is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

TARGET_MS = 50
PLAIN = ("Spring is here: our new menu launches this week. Come by the bakery and say hi to the team! " * 4)[:280]
MIXED = ("Spring menu 🌸 日本語 https://example.com/menu/spring-2026 #spring @bakery 👩‍🍳 café " * 4)


def _fit(text: str) -> str:
    from platforms.x.text import MAX_WEIGHTED_LENGTH, weighted_length

    while weighted_length(text) > MAX_WEIGHTED_LENGTH:
        text = text[:-1]
    return text


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["LOG_LEVEL"] = "CRITICAL"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import User

    user = User.objects.create_user(username="bench", password="x", role=User.Role.RESELLER)
    _accounts_everywhere(user)
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _accounts_everywhere(reseller) -> None:
    """A client of the reseller with an account on each network, for the per-network previews."""
    from accounts.models import User
    from posts.models import TaskAssign
    from socials.models import Account

    client = User.objects.create_user(username="bench-client", password="x", role=User.Role.CLIENT)
    TaskAssign.objects.create(user=client, reseller=reseller, title="Bench")
    for provider in ("twitter", "linkedin", "facebook", "instagram", "bluesky", "mastodon"):
        Account.objects.create(user=client, provider=provider, provider_account_id=f"bench-{provider}",
                               username=f"bench_{provider}", name="Bench Bakery", server_url="https://example.social",
                               token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token="t")


def _time(client, data, runs: int, **extra) -> tuple[float, float, int]:
    timings = []
    status = 0
    from platforms.x.text import url_entities

    for _ in range(runs):
        url_entities.cache_clear()  # every run cold, as a first request
        started = time.perf_counter()
        status = client.post("/posts/preview", data, **extra).status_code
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), max(timings), status


def _all_accounts() -> list[int]:
    from socials.models import Account

    return list(Account.objects.values_list("pk", flat=True))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.preview", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv)
    client = _setup()
    plain, mixed = _fit(PLAIN), _fit(MIXED)
    thread = {"content": mixed, **{f"part-{n}-content": mixed for n in range(2, 26)}}
    cases = [
        ("one post, 280 plain characters", {"content": plain, "hashtags": "spring"}, {}),
        ("one post, 280 weighted, CJK/emoji/URL", {"content": mixed, "hashtags": "spring"}, {}),
        ("thread of 25 such parts", thread, {}),
        ("that post to six networks", {"content": mixed, "hashtags": "spring", "accounts": _all_accounts()}, {}),
        (
            "9 MB body (refused)",
            "content=" + "a" * 9_000_000,
            {"content_type": "application/x-www-form-urlencoded"},
        ),
    ]
    worst_valid = 0.0
    print(f"{'case':42} {'median ms':>10} {'max ms':>8} {'status':>6}")
    for name, data, extra in cases:
        median, worst, status = _time(client, data, args.runs, **extra)
        print(f"{name:42} {median:10.1f} {worst:8.1f} {status:6}")
        if status == 200:
            worst_valid = max(worst_valid, median)
        elif "refused" not in name:
            print(f"  expected 200, got {status}")
            return 1
    ok = worst_valid < TARGET_MS
    print(f"longest valid post: median {worst_valid:.1f} ms (target < {TARGET_MS} ms): {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
