"""Reads of the ledger: spend per client and per X app by month, and what one post cost."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.utils import timezone

from accounts.models import User

from .models import SpendCap, SpendMonth, XCall
from .recorder import PLATFORM, PLATFORM_LABEL, app_label
from .prices import usd


def month_start(moment: dt.datetime) -> dt.datetime:
    moment = moment.astimezone(dt.timezone.utc)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def months(now: dt.datetime | None = None) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """This UTC month and last, as [start, end) pairs."""
    this = month_start(now or timezone.now())
    last = month_start(this - dt.timedelta(days=1))
    following = month_start(this + dt.timedelta(days=32))
    return {"this_month": (this, following), "last_month": (last, this)}


def visible_calls(user: User):
    """The ledger rows a person may see: staff all, a reseller their clients', a client their own."""
    calls = XCall.objects.all()
    if user.is_platform_staff:
        return calls
    if user.is_reseller:  # a subquery, not a join: a client with two of the reseller's tasks counts once
        return calls.filter(client__in=User.objects.filter(tasks__reseller=user))
    return calls.filter(client=user)


def usage(user: User, *, now: dt.datetime | None = None) -> dict:
    """Spend per client and per X app, this month and last, for what `user` may see, with the
    clients' and apps' caps and the apps' names: one statement (_spent_rows; the dashboard shows
    it on every view)."""
    spans = months(now)
    sums = {name: ({}, {}) for name in spans}  # per month: {(client, username): [micros, calls]}, {x_app: ...}
    caps, labels = {}, {PLATFORM: PLATFORM_LABEL}
    for this_month, client, username, x_app, micros, calls, client_cap, app_cap, owner in _spent_rows(user, spans):
        by_client, by_app = sums["this_month" if this_month else "last_month"]
        for totals, key in ((by_client, (client, username)), (by_app, x_app)):
            total = totals.setdefault(key, [0, 0])
            total[0] += micros
            total[1] += calls
        if client_cap is not None:
            caps[(client, "")] = usd(client_cap)
        if app_cap is not None:
            caps[(None, x_app)] = usd(app_cap)
        if owner is not None:
            labels[x_app] = app_label(*owner)
    answer = {}
    for name, (start, end) in spans.items():
        by_client, by_app = sums[name]
        total = sum(micros for micros, _ in by_app.values())
        answer[name] = {
            "from": start.isoformat(), "until": end.isoformat(), "micros": total, "usd": usd(total),
            "clients": [{"client": str(client) if client else None, "username": username,
                         "micros": micros, "usd": usd(micros), "calls": calls,
                         "monthly_cap_usd": caps.get((client, ""))}
                        for (client, username), (micros, calls) in _most_first(by_client)],
            "x_apps": [{"x_app": x_app, "name": labels.get(x_app, x_app), "micros": micros,
                        "usd": usd(micros), "calls": calls, "monthly_cap_usd": caps.get((None, x_app))}
                       for x_app, (micros, calls) in _most_first(by_app)],
        }
    return answer


def _spent_rows(user: User, spans: dict) -> list[tuple]:
    """The ledger's rows `user` may see (visible_calls) over both months, summed per (month,
    client, X app): (this month?, client id, client's username, x_app, micros, calls, the client's
    cap and the app's cap in micro-dollars or None, (username, first name, last name) of the
    client whose X app it is or None).

    The sums come from the monthly rollup the database keeps (costs.rollup, SpendMonth): a row per
    month, client and app, not every call of two months (tens of thousands at a busy agency).

    Written as SQL: the same read through the ORM (a grouped, annotated values_list over a
    subquery, then the caps and the app names in two more) cost each dashboard view about 3 ms of
    CPU to build and compile, ten times what PostgreSQL spends running it (docs/performance.md).
    Portable SQL (PostgreSQL and SQLite); tests/costs check it against the ledger."""
    from django.db import connection

    from agency.models import ClientXApp
    from posts.models import TaskAssign

    ops, quote = connection.ops, connection.ops.quote_name
    (this_start, _), (last_start, _) = spans["this_month"], spans["last_month"]
    tables = {name: quote(model._meta.db_table) for name, model in (
        ("spend", SpendMonth), ("user", User), ("cap", SpendCap), ("app", ClientXApp), ("task", TaskAssign))}
    scope, scope_params = "", []
    if not user.is_platform_staff:
        if user.is_reseller:  # a subquery, not a join: a client with two of the reseller's tasks counts once
            scope = f"AND s.client_id IN (SELECT t.user_id FROM {tables['task']} t WHERE t.reseller_id = %s)"
        else:
            scope = "AND s.client_id = %s"
        scope_params = [user.pk]
    micros_of = "CAST(ROUND({} * 1000000) AS BIGINT)"  # a cap's dollars (3 decimals): exact micro-dollars
    sql = f"""
        SELECT spent.this_month, spent.client_id, client.username, spent.x_app, spent.micros, spent.calls,
               {micros_of.format("client_cap.monthly_usd")}, {micros_of.format("app_cap.monthly_usd")},
               owner.username, owner.first_name, owner.last_name
        FROM (
            SELECT CASE WHEN s.month = %s THEN 1 ELSE 0 END AS this_month, s.client_id, s.x_app,
                   s.micros, s.calls
            FROM {tables['spend']} s
            WHERE s.month IN (%s, %s) AND s.calls > 0 {scope}
        ) spent
        LEFT JOIN {tables['user']} client ON client.id = spent.client_id
        LEFT JOIN {tables['cap']} client_cap ON client_cap.client_id = spent.client_id AND client_cap.x_app = ''
        LEFT JOIN {tables['cap']} app_cap ON app_cap.client_id IS NULL AND app_cap.x_app = spent.x_app
        LEFT JOIN (
            SELECT SUBSTR(a.oauth2_client_id, 1, 80) AS x_app, MIN(a.client_id) AS client_id
            FROM {tables['app']} a WHERE a.oauth2_client_id <> '' GROUP BY 1
        ) app ON app.x_app = spent.x_app
        LEFT JOIN {tables['user']} owner ON owner.id = app.client_id
    """
    this, last = (ops.adapt_datefield_value(start.date()) for start in (this_start, last_start))
    with connection.cursor() as cursor:
        cursor.execute(sql, [this, this, last, *scope_params])
        return [(*row[:8], None if row[8] is None else row[8:]) for row in cursor.fetchall()]


def _most_first(totals: dict) -> list:
    return sorted(totals.items(), key=lambda item: -item[1][0])


def post_spend(post) -> dict:
    """What publishing the post really cost on X, by kind of call (reconcile reads and re-uploads
    included)."""
    rows = XCall.objects.filter(post=post).values("kind").annotate(micros=Sum("micros"), calls=Count("id"))
    labels = dict(XCall.Kind.choices)
    items = [{"kind": r["kind"], "label": labels.get(r["kind"], r["kind"]), "calls": r["calls"],
              "micros": r["micros"], "usd": usd(r["micros"])} for r in rows.order_by("kind")]
    total = sum(item["micros"] for item in items)
    return {"micros": total, "usd": usd(total), "calls": items}


def month_spend(*, client_id: int | None = None, x_app: str | None = None, now: dt.datetime | None = None) -> int:
    """This UTC month's spend in micro-dollars, of a client or an X app (or both): read from the
    monthly rollup (SpendMonth), a row per client and app, as the cap check before each publish
    must not sum every call of the month."""
    start, _ = months(now)["this_month"]
    rows = SpendMonth.objects.filter(month=start.date())
    if client_id is not None:
        rows = rows.filter(client_id=client_id)
    if x_app is not None:
        rows = rows.filter(x_app=x_app)
    return rows.aggregate(total=Sum("micros"))["total"] or 0
