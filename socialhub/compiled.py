"""Statements compiled once per process, for the few writes every publish makes.

Compiling a QuerySet's UPDATE or a model's INSERT costs a worker more CPU than PostgreSQL spends
running it (docs/performance.md, "The work around each send"). On the publishing path each such
statement is compiled the first time it is needed, then sent with each call's own values. The
UPDATEs are still written by the ORM, from the same QuerySets, so what they do is defined where it
always was; the caller runs them with its own cursor (tests/posts/test_one_writer.py traces each
UPDATE of a channel's state to the function that sent it).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import Expression
from django.db.models.fields import AutoFieldMixin
from django.db.models.sql.subqueries import UpdateQuery


class Slot(Expression):
    """A placeholder for one of a statement's own values, named; its field prepares the value."""

    def __init__(self, name: str, field: models.Field):
        super().__init__(output_field=field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [self]

    def prepare(self, value, connection):
        return self.output_field.get_db_prep_value(value, connection)


def slot(model: type[models.Model], name: str, field: str | None = None) -> Slot:
    """A Slot called `name` for the model's field `field` (by default, the field called `name`)."""
    return Slot(name, model._meta.get_field(field or name))


@dataclass(frozen=True)
class Statement:
    """SQL with its parameters, a Slot where each call's own values go."""

    sql: str
    params: tuple

    def bind(self, **values: Any) -> list:
        """The parameters for one call: each Slot's value, prepared as its field would."""
        db = connections[DEFAULT_DB_ALIAS]  # this thread's, looked up once rather than per value
        return [p.prepare(values[p.name], db) if isinstance(p, Slot) else p for p in self.params]


def update(queryset: models.QuerySet, changes: dict[str, Any]) -> Statement:
    """The UPDATE that `queryset.update(**changes)` would send, without sending it."""
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(changes)
    sql, params = query.get_compiler(connection=connection).as_sql()
    return Statement(sql, tuple(params))


@functools.cache
def _insert_sql(model: type[models.Model], rows: int, ignore_conflicts: bool) -> tuple[str, tuple[models.Field, ...]]:
    opts = model._meta
    fields = tuple(f for f in opts.concrete_fields if not (f.primary_key and isinstance(f, AutoFieldMixin)))
    quote = connection.ops.quote_name
    values = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES {', '.join([values] * rows)}")
    sql += " ON CONFLICT DO NOTHING" if ignore_conflicts else f" RETURNING {quote(opts.pk.column)}"
    return sql, fields


def insert(objs: Sequence[models.Model], *, ignore_conflicts: bool = False) -> None:
    """INSERT the instances of one model in one statement, as `bulk_create` would (defaults and
    auto_now fields filled in, no signals, primary keys set unless conflicts are ignored), with
    its SQL made once per model and number of rows. Call it only for plain fields."""
    if not objs:
        return
    sql, fields = _insert_sql(type(objs[0]), len(objs), ignore_conflicts)
    db = connections[DEFAULT_DB_ALIAS]  # this thread's, looked up once rather than per value
    params = [f.get_db_prep_save(f.pre_save(obj, True), db) for obj in objs for f in fields]
    with transaction.mark_for_rollback_on_error(), db.cursor() as cursor:
        cursor.execute(sql, params)
        if not ignore_conflicts:
            pk = type(objs[0])._meta.pk
            for obj, (value,) in zip(objs, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, value)
    for obj in objs:
        obj._state.adding, obj._state.db = False, db.alias
