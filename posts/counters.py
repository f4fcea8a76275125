"""How many posts each task has in each state, kept by the database itself.

`PostCount` holds one row per (task, status) with the number of posts. Triggers on `posts_post`
keep it current for every writer: the ORM, `QuerySet.update()`, `bulk_create`, raw SQL, the admin,
another machine. On PostgreSQL they are statement triggers with transition tables (one upsert per
(task, status) a statement touches, taken in (task, status) order so concurrent writers queue on
the row lock instead of deadlocking); on SQLite, row triggers (SQLite has one writer at a time).
A statement that does not change a post's task or status touches no counter.

A decrement only updates an existing row, never inserts one: when a task is deleted, Django may
delete its counter rows before its posts, and a fresh negative row would then point at a deleted
task. `manage.py recount_posts` rebuilds the table from the posts (and says what it fixed).
"""

from __future__ import annotations

from django.db import connection as default_connection
from django.db import connections, router, transaction

from socialhub.triggers import Triggers

TRIGGERS = ("posts_post_count_insert", "posts_post_count_update", "posts_post_count_delete")

POSTGRESQL = """
CREATE OR REPLACE FUNCTION posts_post_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO posts_postcount (task_id, status, n)
    SELECT task_id, status, count(*) FROM new_rows GROUP BY task_id, status ORDER BY task_id, status
    ON CONFLICT (task_id, status) DO UPDATE SET n = posts_postcount.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION posts_post_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO posts_postcount (task_id, status, n)
    SELECT task_id, status, sum(delta) FROM (
        SELECT task_id, status, -1 AS delta FROM old_rows
        UNION ALL
        SELECT task_id, status, 1 AS delta FROM new_rows
    ) AS changes
    GROUP BY task_id, status HAVING sum(delta) <> 0 ORDER BY task_id, status
    ON CONFLICT (task_id, status) DO UPDATE SET n = posts_postcount.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION posts_post_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gone record;
BEGIN
    FOR gone IN SELECT task_id, status, count(*) AS n FROM old_rows GROUP BY task_id, status
                ORDER BY task_id, status LOOP
        UPDATE posts_postcount SET n = n - gone.n WHERE task_id = gone.task_id AND status = gone.status;
    END LOOP;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS posts_post_count_insert ON posts_post;
CREATE TRIGGER posts_post_count_insert AFTER INSERT ON posts_post
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION posts_post_count_insert();
DROP TRIGGER IF EXISTS posts_post_count_update ON posts_post;
CREATE TRIGGER posts_post_count_update AFTER UPDATE ON posts_post
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION posts_post_count_update();
DROP TRIGGER IF EXISTS posts_post_count_delete ON posts_post;
CREATE TRIGGER posts_post_count_delete AFTER DELETE ON posts_post
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION posts_post_count_delete();
"""

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS posts_post_count_insert AFTER INSERT ON posts_post BEGIN
        INSERT INTO posts_postcount (task_id, status, n) VALUES (NEW.task_id, NEW.status, 1)
        ON CONFLICT (task_id, status) DO UPDATE SET n = n + 1;
    END""",
    """CREATE TRIGGER IF NOT EXISTS posts_post_count_update AFTER UPDATE OF task_id, status ON posts_post
    WHEN OLD.task_id <> NEW.task_id OR OLD.status <> NEW.status BEGIN
        UPDATE posts_postcount SET n = n - 1 WHERE task_id = OLD.task_id AND status = OLD.status;
        INSERT INTO posts_postcount (task_id, status, n) VALUES (NEW.task_id, NEW.status, 1)
        ON CONFLICT (task_id, status) DO UPDATE SET n = n + 1;
    END""",
    """CREATE TRIGGER IF NOT EXISTS posts_post_count_delete AFTER DELETE ON posts_post BEGIN
        UPDATE posts_postcount SET n = n - 1 WHERE task_id = OLD.task_id AND status = OLD.status;
    END""",
]


def recount(connection=default_connection) -> list[tuple[int, int, int, int]]:
    """Rebuild the counters from the posts. Returns what was wrong: (task, status, had, has).

    Writers of posts wait while it counts (PostgreSQL: SHARE lock on posts_post; SQLite: the
    write lock), so the counts it writes are exact when it commits; readers are not blocked.
    """
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE posts_post IN SHARE MODE")
            cursor.execute("LOCK TABLE posts_postcount IN EXCLUSIVE MODE")
        cursor.execute("SELECT task_id, status, n FROM posts_postcount")
        had = {(task, status): n for task, status, n in cursor.fetchall()}
        cursor.execute("SELECT task_id, status, count(*) FROM posts_post GROUP BY task_id, status")
        has = {(task, status): n for task, status, n in cursor.fetchall()}
        cursor.execute("DELETE FROM posts_postcount")
        if has:
            cursor.executemany(
                "INSERT INTO posts_postcount (task_id, status, n) VALUES (%s, %s, %s)",
                [(task, status, n) for (task, status), n in sorted(has.items())],
            )
    wrong = []
    for key in sorted(set(had) | set(has)):
        if had.get(key, 0) != has.get(key, 0):
            wrong.append((*key, had.get(key, 0), has.get(key, 0)))
    return wrong


def by_task_and_status(user, task_ids: list[int] | None = None) -> dict[tuple[int, int], int]:
    """{(task id, status): posts} over the tasks `user` may see, or over `task_ids` (one query
    over the counters: a row per task and state, however many posts).

    The lists' case (their task ids given, or staff, who see every task) is one plain statement:
    the dashboard and the inbox read it on every view, and the ORM's building and compiling of it
    cost more than PostgreSQL's running it (docs/performance.md)."""
    from .models import PostCount, TaskAssign

    if task_ids is None and not user.is_platform_staff:
        rows = PostCount.objects.filter(n__gt=0, task__in=TaskAssign.objects.for_user(user))
        return {(task, status): n for task, status, n in rows.values_list("task_id", "status", "n")}
    if task_ids is not None and not task_ids:
        return {}
    connection = connections[router.db_for_read(PostCount)]
    sql = f"SELECT task_id, status, n FROM {connection.ops.quote_name(PostCount._meta.db_table)} WHERE n > 0"
    if task_ids is not None:
        sql += f" AND task_id IN ({', '.join(['%s'] * len(task_ids))})"
    with connection.cursor() as cursor:
        cursor.execute(sql, task_ids or ())
        return {(task, status): n for task, status, n in cursor.fetchall()}


_TRIGGERS = Triggers(table="posts_post", names=TRIGGERS, postgresql=POSTGRESQL, sqlite=tuple(SQLITE),
                     summary="posts_postcount", recount=recount)
install, uninstall, installed = _TRIGGERS.install, _TRIGGERS.uninstall, _TRIGGERS.installed
ensure_installed = _TRIGGERS.ensure_installed
