"""What the X call ledger holds per UTC month, client and X app, kept by the database itself.

`SpendMonth` holds one row per (month, client, x_app) with the calls' micro-dollars and their
number. Triggers on `costs_xcall` keep it exact for every writer: the recorder's raw INSERT
(socialhub.compiled.insert, no signals), the ORM, `QuerySet.update()`, a client's deletion (the
ledger's client is set NULL), raw SQL. As posts/counters.py does: on PostgreSQL statement triggers
with transition tables, one change per key a statement touches, taken in key order so concurrent
writers queue on the row lock instead of deadlocking; on SQLite row triggers (one writer at a time).

Calls without a client share one row per month and app: the unique index is over
COALESCE(client_id, 0), which ON CONFLICT names.

A change to a key no new row has (a deletion, or the old side of an update) only updates an
existing row, never inserts one: when a client is deleted, Django deletes their rows here before
it sets their calls' client to NULL, and a fresh negative row would point at the deleted client.
`manage.py recount_spend` rebuilds the table from the ledger (and says what it fixed).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection as default_connection
from django.db import transaction

from socialhub.triggers import Triggers

TRIGGERS = ("costs_spend_insert", "costs_spend_update", "costs_spend_delete")
KEY = "(month, (COALESCE(client_id, 0)), x_app)"  # the unique index ON CONFLICT infers
MONTH = {"postgresql": """date_trunc('month', "at" AT TIME ZONE 'UTC')::date""",
         "sqlite": """date("at", 'start of month')"""}
ADD = "micros = costs_spendmonth.micros + EXCLUDED.micros, calls = costs_spendmonth.calls + EXCLUDED.calls"

POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION costs_spend_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO costs_spendmonth (month, client_id, x_app, micros, calls)
    SELECT {MONTH["postgresql"]}, client_id, x_app, sum(micros), count(*) FROM new_rows
    GROUP BY 1, 2, 3 ORDER BY 1, COALESCE(client_id, 0), 3
    ON CONFLICT {KEY} DO UPDATE SET {ADD};
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION costs_spend_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta record;
BEGIN
    -- One loop in key order (not an upsert then an update) so the row locks are taken in order.
    FOR delta IN
        SELECT month, client_id, x_app, sum(micros) AS micros, sum(calls) AS calls, bool_or(live) AS live FROM (
            SELECT {MONTH["postgresql"]} AS month, client_id, x_app, -micros AS micros, -1 AS calls, false AS live
            FROM old_rows
            UNION ALL
            SELECT {MONTH["postgresql"]}, client_id, x_app, micros, 1, true FROM new_rows
        ) AS changes
        GROUP BY month, client_id, x_app HAVING sum(micros) <> 0 OR sum(calls) <> 0
        ORDER BY month, COALESCE(client_id, 0), x_app
    LOOP
        IF delta.live THEN
            INSERT INTO costs_spendmonth (month, client_id, x_app, micros, calls)
            VALUES (delta.month, delta.client_id, delta.x_app, delta.micros, delta.calls)
            ON CONFLICT {KEY} DO UPDATE SET {ADD};
        ELSE
            UPDATE costs_spendmonth SET micros = micros + delta.micros, calls = calls + delta.calls
            WHERE month = delta.month AND COALESCE(client_id, 0) = COALESCE(delta.client_id, 0)
              AND x_app = delta.x_app;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION costs_spend_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gone record;
BEGIN
    FOR gone IN SELECT {MONTH["postgresql"]} AS month, client_id, x_app, sum(micros) AS micros, count(*) AS calls
                FROM old_rows GROUP BY 1, 2, 3 ORDER BY 1, COALESCE(client_id, 0), 3 LOOP
        UPDATE costs_spendmonth SET micros = micros - gone.micros, calls = calls - gone.calls
        WHERE month = gone.month AND COALESCE(client_id, 0) = COALESCE(gone.client_id, 0) AND x_app = gone.x_app;
    END LOOP;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS costs_spend_insert ON costs_xcall;
CREATE TRIGGER costs_spend_insert AFTER INSERT ON costs_xcall
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION costs_spend_insert();
DROP TRIGGER IF EXISTS costs_spend_update ON costs_xcall;
CREATE TRIGGER costs_spend_update AFTER UPDATE ON costs_xcall
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION costs_spend_update();
DROP TRIGGER IF EXISTS costs_spend_delete ON costs_xcall;
CREATE TRIGGER costs_spend_delete AFTER DELETE ON costs_xcall
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION costs_spend_delete();
"""
# PostgreSQL refuses a column list (UPDATE OF ...) on a trigger with transition tables: an update
# that changes no month, client, app or price sums to nothing above and touches no row.

_OLD_MONTH, _NEW_MONTH = """date(OLD."at", 'start of month')""", """date(NEW."at", 'start of month')"""
_SUBTRACT_OLD = f"""UPDATE costs_spendmonth SET micros = micros - OLD.micros, calls = calls - 1
        WHERE month = {_OLD_MONTH} AND COALESCE(client_id, 0) = COALESCE(OLD.client_id, 0)
          AND x_app = OLD.x_app;"""
_ADD_NEW = f"""INSERT INTO costs_spendmonth (month, client_id, x_app, micros, calls)
        VALUES ({_NEW_MONTH}, NEW.client_id, NEW.x_app, NEW.micros, 1)
        ON CONFLICT {KEY} DO UPDATE SET {ADD};"""

SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS costs_spend_insert AFTER INSERT ON costs_xcall BEGIN
        {_ADD_NEW}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS costs_spend_update AFTER UPDATE OF "at", client_id, x_app, micros ON costs_xcall
    WHEN {_OLD_MONTH} IS NOT {_NEW_MONTH} OR OLD.client_id IS NOT NEW.client_id OR OLD.x_app IS NOT NEW.x_app
         OR OLD.micros IS NOT NEW.micros BEGIN
        {_SUBTRACT_OLD}
        {_ADD_NEW}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS costs_spend_delete AFTER DELETE ON costs_xcall BEGIN
        {_SUBTRACT_OLD}
    END""",
]


def recount(connection=default_connection) -> list[tuple[dt.date, int | None, str, tuple, tuple]]:
    """Rebuild the rollup from the ledger. Returns what was wrong:
    (month, client id, x_app, (micros, calls) it had, (micros, calls) it has now).

    Writers of the ledger wait while it sums (PostgreSQL: SHARE lock on costs_xcall; SQLite: the
    write lock), so what it writes is exact when it commits; readers are not blocked.
    """
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE costs_xcall IN SHARE MODE")
            cursor.execute("LOCK TABLE costs_spendmonth IN EXCLUSIVE MODE")
        cursor.execute("SELECT month, client_id, x_app, micros, calls FROM costs_spendmonth")
        had = {(_date(month), client, app): (micros, calls) for month, client, app, micros, calls in cursor.fetchall()}
        cursor.execute(f"SELECT {MONTH[connection.vendor]}, client_id, x_app, sum(micros), count(*) "
                       "FROM costs_xcall GROUP BY 1, 2, 3")
        has = {(_date(month), client, app): (micros, calls) for month, client, app, micros, calls in cursor.fetchall()}
        cursor.execute("DELETE FROM costs_spendmonth")
        if has:
            cursor.executemany(
                "INSERT INTO costs_spendmonth (month, client_id, x_app, micros, calls) VALUES (%s, %s, %s, %s, %s)",
                [(month.isoformat(), client, app, micros, calls)
                 for (month, client, app), (micros, calls) in sorted(has.items(), key=_order)],
            )
    nothing = (0, 0)
    return [(*key, had.get(key, nothing), has.get(key, nothing))
            for key in sorted(set(had) | set(has), key=lambda key: _order((key, None)))
            if had.get(key, nothing) != has.get(key, nothing)]


def _date(month) -> dt.date:
    return month if isinstance(month, dt.date) else dt.date.fromisoformat(str(month)[:10])


def _order(item) -> tuple:
    (month, client, app), _ = item
    return month, client or 0, app


_TRIGGERS = Triggers(table="costs_xcall", names=TRIGGERS, postgresql=POSTGRESQL, sqlite=tuple(SQLITE),
                     summary="costs_spendmonth", recount=recount)
install, uninstall, installed = _TRIGGERS.install, _TRIGGERS.uninstall, _TRIGGERS.installed
ensure_installed = _TRIGGERS.ensure_installed
