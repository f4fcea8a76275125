"""Django's database sessions, read with one plain statement.

Every page and API call made with a login reads its session first. Django's store builds and
compiles that lookup through the ORM on each request, about 0.3 ms of CPU, three times what
sending and reading it costs (docs/performance.md, "Sessions" in the night before's figures).
Writing, expiry and everything else stay Django's own.
https://docs.djangoproject.com/en/5.2/topics/http/sessions/#using-database-backed-sessions
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The unexpired session with this key (only its data is read), else None."""
        connection = connections[router.db_for_read(self.model)]
        sql = (f"SELECT session_data FROM {connection.ops.quote_name(self.model._meta.db_table)} "
               "WHERE session_key = %s AND expire_date > %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])
