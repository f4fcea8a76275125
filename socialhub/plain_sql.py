"""Rows of one plain statement, with each column converted as the ORM converts it.

For the few reads a list makes on every request and whose building through the ORM costs more
than running them: reading the channels of 50 posts took about 3,700 Python calls, 2,400 of them
before a row was read (most to prepare each of the 50 ids of its IN list, then compiling). Each
column named by its model field gets the converters the ORM's compiler gives it (the backend's,
then the field's own from_db_value), so the values are the ORM's: aware datetimes, decoded JSON.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import Field


def placeholders(values) -> str:
    """"%s, %s, %s" for an IN list of `values` (which must not be empty)."""
    return ", ".join(["%s"] * len(values))


def fetch(using: str, sql: str, params, fields: list[Field]) -> list[tuple]:
    """The rows of `sql`, whose columns are those of `fields` in order, converted as the ORM does."""
    connection = connections[using]
    converters = []
    for n, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((n, column, functions))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not converters:
        return rows
    converted = []
    for row in rows:
        row = list(row)
        for n, column, functions in converters:
            value = row[n]
            for convert in functions:
                value = convert(value, column, connection)
            row[n] = value
        converted.append(tuple(row))
    return converted
