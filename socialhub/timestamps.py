"""PostgreSQL's times parsed by psycopg's C loader rather than its Python one.

Django reads `timestamptz` with a loader of its own (`BaseTzLoader` in
django/db/backends/postgresql/psycopg_any.py) that subclasses psycopg's Python
`TimestamptzLoader`, so each time a statement returns is parsed in Python: about nine calls a
value, 1,500 for one page of `GET /api/posts` (docs/performance.md). psycopg's C loader
(psycopg_binary) parses the same text, but it cannot be subclassed, so this loader calls it and
then does what Django's does: sets the connection's zone, the `timezone` Django compares in
`create_cursor` before it registers a loader of its own for a cursor. The values are the same
aware datetimes. Without the C implementation (pure-Python psycopg, SQLite) nothing changes.
https://www.psycopg.org/psycopg3/docs/advanced/adapt.html#writing-a-custom-adapter-xml
"""

from __future__ import annotations

from django.db.backends.signals import connection_created


def register(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: a new PostgreSQL connection reads timestamptz with the C loader."""
    if connection.vendor != "postgresql":
        return
    import psycopg
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    parse_class = psycopg.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)
    if parse_class.__module__.startswith("psycopg."):  # the Python loader: Django's is as good
        return

    class TimestamptzLoader(Loader):
        timezone = connection.timezone

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._parse = parse_class(oid, context).load

        def load(self, data):
            return self._parse(data).replace(tzinfo=self.timezone)

    connection.connection.adapters.register_loader("timestamptz", TimestamptzLoader)


def install() -> None:
    connection_created.connect(register, dispatch_uid="socialhub.timestamps.register")
