"""Queries: SQL statements to publish one post with one channel, and per page with 10 and 10,000 posts.

    python -m bench.queries

Counts every statement Django sends (connection.execute_wrapper), against PostgreSQL and the X
sandbox. Pages are fetched in-process with Django's test client as the reseller (dashboard,
/posts/) and as the client (review inbox, /posts/inbox/); the API post list (/api/posts) is
counted too once it exists. Targets: publishing <= 12; each page the same count at 10 and 10,000.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from contextlib import contextmanager

from . import harness

PAGES = [("reseller dashboard", "reseller", "/posts/"), ("client review inbox", "client", "/posts/inbox/"),
         ("API post list", "reseller", "/api/posts")]


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.queries", description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--publish-limit", type=int, default=12)
    parser.add_argument("--database-url", default=harness.DEFAULT_DATABASE_URL)
    parser.add_argument("--workdir", default=None)
    return parser.parse_args(argv)


@contextmanager
def counting():
    from django.db import connection

    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield statements


def seed_mix(accounts, count: int) -> None:
    """`count` posts for the first client, in every state the pages show, round-robin."""
    from django.utils import timezone

    from posts.models import Post, PostChannel

    account = accounts[0]
    states = [Post.Status.PENDING, Post.Status.APPROVED, Post.Status.PUBLISHED, Post.Status.FAILED,
              Post.Status.REJECTED]
    now = timezone.now()
    posts = Post.objects.bulk_create(
        [
            Post(task=account.task, created_by=account.reseller, content=f"Page post {i}", status=states[i % 5],
                 schedule_at=now + dt.timedelta(days=1), published_at=now if states[i % 5] == 3 else None,
                 feedback="Too long" if states[i % 5] == 5 else "")
            for i in range(count)
        ],
        batch_size=2000,
    )
    channel_state = {0: "queued", 1: "queued", 3: "published", 4: "failed", 5: "queued"}
    PostChannel.objects.bulk_create(
        [
            PostChannel(post=p, account=account, state=channel_state[p.status],
                        remote_id=str(10**12 + p.pk) if p.status == 3 else "",
                        last_error="X said no" if p.status == 4 else "")
            for p in posts
        ],
        batch_size=2000,
    )


def page_queries(client, path: str) -> tuple[int, int]:
    with counting() as statements:
        response = client.get(path, HTTP_HOST="127.0.0.1")
    return response.status_code, len(statements)


def main(argv=None) -> int:
    args = parse(argv)
    with harness.workdir(args.workdir) as work:
        sandbox = harness.Sandbox(work)
        try:
            env = harness.environment(database_url=args.database_url, sandbox_url=sandbox.url)
            harness.setup_django(env)
            from django.test import Client
            from django.utils import timezone

            from posts import publishing
            from posts.models import Post

            accounts = harness.seed_accounts(sandbox, 2)
            [post_id] = harness.seed_posts(accounts, [timezone.now()], text="Counted post")
            with counting() as statements:
                publishing.publish_post(post_id=post_id)
            published = Post.objects.get(pk=post_id).status == Post.Status.PUBLISHED
            publish_count = len(statements)
            listing = "\n".join(f"  {i + 1:2}. {sql[:110]}" for i, sql in enumerate(statements))

            people = {"reseller": accounts[0].reseller, "client": accounts[0].user}
            clients = {}
            for role, user in people.items():
                clients[role] = Client()
                clients[role].force_login(user)
            figures = {}
            for size, total in (("small", args.small), ("large", args.large)):
                seed_mix(accounts, total - Post.objects.count())
                for name, role, path in PAGES:
                    figures[(name, size)] = page_queries(clients[role], path)
        finally:
            harness.stop_all([], sandbox)

    print(f"\nQueries to publish one post with one channel: {publish_count}\n{listing}\n")
    rows = [("publish one post, one channel", str(publish_count), f"<= {args.publish_limit}",
             published and publish_count <= args.publish_limit)]
    for name, _, path in PAGES:
        (status_s, small), (status_l, large) = figures[(name, "small")], figures[(name, "large")]
        if status_s == 404 and status_l == 404:
            print(f"{name} ({path}): not there yet (404)")
            continue
        ok = status_s == status_l == 200 and small == large
        rows.append((f"{name} {path} ({args.small} / {args.large} posts)", f"{small} / {large}", "same count", ok))
    return harness.verdict(rows)


if __name__ == "__main__":
    sys.exit(main())
