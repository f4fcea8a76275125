"""Queries: SQL statements to publish one post with one channel, and per page with 10 and 10,000 posts.

    python -m bench.queries [--large 1000000]

Counts every statement Django sends (connection.execute_wrapper), against PostgreSQL and the X
sandbox. Pages are fetched in-process with Django's test client as the reseller (dashboard,
/posts/, all posts and one state's tab) and as the client (review inbox, /posts/inbox/, and the
published page); the API post list (/api/posts, and its next page by cursor) is counted too.
Then every SELECT the pages sent at the large size runs again under EXPLAIN ANALYZE: a statement
whose plan reads more than --max-rows rows (rows its scans return or filter out, times loops) is
printed with its plan and fails the run.

Targets: publishing <= 12; each page the same count at 10 and at --large; no statement reads more
than 1,000 rows. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager

from . import harness

PAGES = [("reseller dashboard", "reseller", "/posts/"), ("dashboard, one state", "reseller", "/posts/?status=3"),
         ("client review inbox", "client", "/posts/inbox/"), ("published", "client", "/posts/published/"),
         ("API post list", "reseller", "/api/posts"), ("API post list, next page", "reseller", "next")]
NEXT_FROM = "/api/posts?page_size=5"  # where the next page's link comes from (small has 10 posts)
SCANS = {"Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Tid Scan"}


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.queries", description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--publish-limit", type=int, default=12)
    parser.add_argument("--max-rows", type=int, default=1_000, help="most rows one statement may read")
    parser.add_argument("--database-url", default=harness.DEFAULT_DATABASE_URL)
    parser.add_argument("--workdir", default=None)
    return parser.parse_args(argv)


@contextmanager
def counting():
    """The SQL of every statement sent inside the block."""
    from django.db import connection

    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield statements


STATES = [0, 1, 3, 4, 5]  # pending, approved, published, failed, rejected: what the pages show


def seed_mix(accounts, count: int) -> None:
    """`count` more posts for the first client, one channel each, in every state the pages show,
    round-robin, one second apart (newest last), and one X call in the ledger per published post,
    at a moment of the last 60 days (the spend panel's this month and last). Generated inside
    PostgreSQL with INSERT ... SELECT over generate_series: a million posts and their channels in
    about a minute, with no Python object per row. Columns this does not name get their model
    default."""
    from django.db import connection
    from django.utils import timezone

    from costs.models import XCall
    from posts.models import Post, PostChannel

    if count <= 0:
        return
    account = accounts[0]
    now = timezone.now()
    status = "(ARRAY[0, 1, 3, 4, 5])[i %% 5 + 1]"
    post_columns = {
        "task_id": ("%s", [account.task.pk]),
        "created_by_id": ("%s", [account.reseller.pk]),
        "content": ("'Page post ' || i", []),
        "status": (status, []),
        "schedule_at": ("%s::timestamptz + interval '1 day'", [now]),
        "published_at": (f"CASE WHEN {status} = 3 THEN %s::timestamptz END", [now]),
        "feedback": (f"CASE WHEN {status} = 5 THEN 'Too long' ELSE '' END", []),
        "created_at": ("%s::timestamptz - (%s - i) * interval '1 second'", [now, count]),
        "updated_at": ("%s::timestamptz", [now]),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM posts_post")
        [last_id] = cursor.fetchone()
        columns, values, params = _insert_parts(Post, post_columns)
        cursor.execute(
            f"INSERT INTO posts_post ({columns}) SELECT {values} FROM generate_series(1, %s) AS i",
            [*params, count],
        )
        channel_columns = {
            "post_id": ("p.id", []),
            "account_id": ("%s", [account.pk]),
            "state": ("CASE p.status WHEN 3 THEN 'published' WHEN 4 THEN 'failed' ELSE 'queued' END", []),
            "remote_id": ("CASE WHEN p.status = 3 THEN (1000000000000 + p.id)::text ELSE '' END", []),
            "last_error": ("CASE WHEN p.status = 4 THEN 'X said no' ELSE '' END", []),
            "created_at": ("p.created_at", []),
            "updated_at": ("p.created_at", []),
        }
        columns, values, params = _insert_parts(PostChannel, channel_columns)
        cursor.execute(
            f"INSERT INTO posts_postchannel ({columns}) SELECT {values} FROM posts_post AS p WHERE p.id > %s",
            [*params, last_id],
        )
        # Spread over 60 days by a multiplicative hash of the id, so a month holds about half the calls.
        at = "(%s::timestamptz - (p.id * 7919 %% 5184000) * interval '1 second')"
        call_columns = {
            "at": (at, [now]),
            "day": (f"({at} AT TIME ZONE 'UTC')::date", [now]),
            "account_id": ("%s", [account.pk]),
            "client_id": ("%s", [account.user_id]),
            "x_app": ("'platform'", []),
            "post_id": ("p.id", []),
            "endpoint": ("'POST /2/tweets'", []),
            "kind": ("'post_create'", []),
            "micros": ("15000", []),
            "resource_id": ("(1000000000000 + p.id)::text", []),
        }
        columns, values, params = _insert_parts(XCall, call_columns)
        cursor.execute(
            f"INSERT INTO costs_xcall ({columns}) SELECT {values} FROM posts_post AS p WHERE p.id > %s AND p.status = 3",
            [*params, last_id],
        )
        cursor.execute("ANALYZE posts_post; ANALYZE posts_postchannel; ANALYZE posts_postcount; "
                       "ANALYZE costs_xcall; ANALYZE costs_spendmonth")


def _insert_parts(model, given: dict) -> tuple[str, str, list]:
    """Column list, SELECT expressions and their parameters for every concrete column but the id:
    the given SQL for those named, the field's default (NULL, or "" for text) for the rest."""
    from django.db import connection

    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in given:
            sql, args = given[field.column]
        elif field.null and not field.has_default():
            sql, args = "NULL", []
        else:  # the default, or "" for text
            sql, args = "%s", [field.get_db_prep_save(field.get_default(), connection)]
        values.append(sql)
        params += args
    return ", ".join(columns), ", ".join(values), params


def page_queries(client, path: str) -> tuple[int, list[tuple[str, object]], object]:
    """The page's status, its statements with their parameters, and the response."""
    from django.db import connection

    statements: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(path, HTTP_HOST="127.0.0.1")
    return response.status_code, statements, response


def rows_read(plan: dict) -> int:
    """Rows a plan's scans read: what each returns plus what its filters threw away, per loop."""
    own = 0
    if plan["Node Type"] in SCANS:
        kept = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
        kept += plan.get("Rows Removed by Index Recheck", 0)
        own = kept * plan.get("Actual Loops", 1)
    return own + sum(rows_read(child) for child in plan.get("Plans", []))


def explain(sql: str, params) -> tuple[int, str]:
    """(rows read, the plan as text) of one SELECT, run again under EXPLAIN ANALYZE."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        [plan] = cursor.fetchone()[0]
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    return rows_read(plan["Plan"]), text


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
            figures, heavy = {}, []
            for size, total in (("small", args.small), ("large", args.large)):
                seed_mix(accounts, total - Post.objects.count())
                for name, role, path in PAGES:
                    if path == "next":
                        path = clients[role].get(NEXT_FROM, HTTP_HOST="127.0.0.1").json()["next"]
                    status, statements, response = page_queries(clients[role], path)
                    figures[(name, size)] = (status, len(statements))
                    if size != "large":
                        continue
                    for sql, params in statements:
                        if sql.lstrip().upper().startswith("SELECT"):
                            read, plan = explain(sql, params)
                            if read > args.max_rows:
                                heavy.append((name, read, sql, plan))
        finally:
            harness.stop_all([], sandbox)

    print(f"\nQueries to publish one post with one channel: {publish_count}\n{listing}\n")
    rows = [("publish one post, one channel", str(publish_count), f"<= {args.publish_limit}",
             published and publish_count <= args.publish_limit)]
    for name, _, path in PAGES:
        (status_s, small), (status_l, large) = figures[(name, "small")], figures[(name, "large")]
        ok = status_s == status_l == 200 and small == large
        rows.append((f"{name} {path} ({args.small} / {args.large} posts)", f"{small} / {large}", "same count", ok))
    for name, read, sql, plan in heavy:
        print(f"{name}: a statement read {read:,} rows (more than {args.max_rows:,}):\n  {sql}\n{plan}\n")
    most = max((read for _, read, _, _ in heavy), default=0)
    rows.append((f"statements reading > {args.max_rows:,} rows at {args.large:,} posts", str(len(heavy)), "0",
                 not heavy))
    if heavy:
        print(f"most rows one statement read: {most:,}")
    return harness.verdict(rows)


if __name__ == "__main__":
    sys.exit(main())
