"""PostgreSQL's times are parsed by psycopg's C loader, with the values Django's loader gives
(socialhub/timestamps.py)."""

import datetime as dt

import pytest
from django.db import connection
from psycopg.types.datetime import TimestamptzLoader as PythonLoader

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's loaders")

TIMES = ["2026-01-02 03:04:05.123456+05:30", "2026-06-30 23:59:59-08", "0001-01-01 00:00:00+00",
         "9999-12-31 23:59:59.999999+00", "2024-02-29 12:00:00.5+00"]


def _read(texts):
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["%s::timestamptz"] * len(texts)), texts)
        return cursor.fetchone(), cursor.connection.adapters.get_loader(1184, 0)


@pytest.mark.django_db
def test_times_are_read_by_the_c_loader_as_aware_datetimes_in_the_connections_zone():
    values, loader = _read(TIMES)
    assert loader.__module__ == "socialhub.timestamps"
    assert all(value.tzinfo is connection.timezone for value in values)
    assert values[0] == dt.datetime(2026, 1, 1, 21, 34, 5, 123456, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_times_read_the_same_as_with_djangos_loader():
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    values, _ = _read(TIMES)
    with connection.cursor() as cursor:
        register_tzloader(connection.timezone, cursor.cursor)
        assert issubclass(cursor.cursor.adapters.get_loader(1184, 0), PythonLoader)
        cursor.execute("SELECT " + ", ".join(["%s::timestamptz"] * len(TIMES)) + ", NULL::timestamptz", TIMES)
        expected = cursor.fetchone()
    assert values + (None,) == expected
    assert [value.tzinfo for value in values] == [value.tzinfo for value in expected[:-1]]
