"""Reads of the ledger: spend per client and per X app by month, and what one post cost."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, Sum, Value, When
from django.utils import timezone

from accounts.models import User

from .models import SpendCap, XCall
from .recorder import app_labels
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
    """Spend per client and per X app, this month and last, for what `user` may see: one grouped
    read of the ledger for both months (the dashboard shows it on every view)."""
    spans = months(now)
    (this_start, end), (last_start, _) = spans["this_month"], spans["last_month"]
    rows = list(
        visible_calls(user).filter(at__gte=last_start, at__lt=end).order_by()
        .annotate(this_month=Case(When(at__gte=this_start, then=Value(True)), default=Value(False)))
        .values_list("this_month", "client", "client__username", "x_app")
        .annotate(micros=Sum("micros"), calls=Count("id"))
    )
    # Caps and app names label the rows: nothing to read when nothing was spent.
    caps = {(cap.client_id, cap.x_app): usd(cap.monthly_micros) for cap in SpendCap.objects.all()} if rows else {}
    labels = app_labels() if rows else {}
    sums = {name: ({}, {}) for name in spans}  # per month: {(client, username): [micros, calls]}, {x_app: ...}
    for this_month, client, username, x_app, micros, calls in rows:
        by_client, by_app = sums["this_month" if this_month else "last_month"]
        for totals, key in ((by_client, (client, username)), (by_app, x_app)):
            total = totals.setdefault(key, [0, 0])
            total[0] += micros
            total[1] += calls
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
    start, end = months(now)["this_month"]
    calls = XCall.objects.filter(at__gte=start, at__lt=end)
    if client_id is not None:
        calls = calls.filter(client_id=client_id)
    if x_app is not None:
        calls = calls.filter(x_app=x_app)
    return calls.total()
