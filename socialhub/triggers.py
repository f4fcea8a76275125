"""Sets of triggers that keep a summary table exact: the post counters (posts/counters.py) and
the monthly spend rollup (costs/rollup.py). Installing, removing and checking them, on
PostgreSQL (a trigger function per trigger, named like it) and SQLite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection as default_connection


@dataclass(frozen=True)
class Triggers:
    table: str  # the table they watch
    names: tuple[str, ...]
    postgresql: str  # CREATE OR REPLACE FUNCTION ... and CREATE TRIGGER ..., idempotent
    sqlite: tuple[str, ...]  # CREATE TRIGGER IF NOT EXISTS ...
    summary: str  # the table they keep
    recount: Callable  # recount(connection): rebuild the summary from the table

    def install(self, connection=default_connection) -> None:
        """Create (or replace) the triggers. Idempotent."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(self.postgresql)
            elif connection.vendor == "sqlite":
                for statement in self.sqlite:
                    cursor.execute(statement)
            else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
                raise NotImplementedError(f"No triggers for {self.summary} on {connection.vendor}.")

    def uninstall(self, connection=default_connection) -> None:
        with connection.cursor() as cursor:
            for name in self.names:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}" + (
                    f" ON {self.table}; DROP FUNCTION IF EXISTS {name}()" if connection.vendor == "postgresql" else ""))

    def installed(self, connection=default_connection) -> bool:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = ANY(%s)",
                               [self.table, list(self.names)])
            else:
                cursor.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                    f"AND name IN ({', '.join(['%s'] * len(self.names))})",
                    [self.table, *self.names],
                )
            return cursor.fetchone()[0] == len(self.names)

    def ensure_installed(self, sender=None, using="default", **kwargs) -> None:
        """post_migrate: SQLite drops a table's triggers when a migration rebuilds the table
        (Django's ALTER TABLE emulation), so put them back and recount if they were missing."""
        from django.db import connections

        connection = connections[using]
        if self.summary not in connection.introspection.table_names():
            return
        if not self.installed(connection):
            self.install(connection)
            self.recount(connection)
