"""Reads of the ledger: spend per client and per X app by month, and what one post cost."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
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
    """Spend per client and per X app, this month and last, for what `user` may see."""
    calls = visible_calls(user)
    caps = {(cap.client_id, cap.x_app): usd(cap.monthly_micros) for cap in SpendCap.objects.all()}
    labels = app_labels()
    answer = {}
    for name, (start, end) in months(now).items():
        rows = calls.filter(at__gte=start, at__lt=end)
        by_client = rows.values("client", "client__username").annotate(micros=Sum("micros"), calls=Count("id"))
        by_app = rows.values("x_app").annotate(micros=Sum("micros"), calls=Count("id"))
        total = rows.aggregate(total=Sum("micros"))["total"] or 0
        answer[name] = {
            "from": start.isoformat(), "until": end.isoformat(), "micros": total, "usd": usd(total),
            "clients": [{"client": str(r["client"]) if r["client"] else None, "username": r["client__username"],
                         "micros": r["micros"], "usd": usd(r["micros"]), "calls": r["calls"],
                         "monthly_cap_usd": caps.get((r["client"], ""))}
                        for r in by_client.order_by("-micros")],
            "x_apps": [{"x_app": r["x_app"], "name": labels.get(r["x_app"], r["x_app"]), "micros": r["micros"],
                        "usd": usd(r["micros"]), "calls": r["calls"],
                        "monthly_cap_usd": caps.get((None, r["x_app"]))}
                       for r in by_app.order_by("-micros")],
        }
    return answer


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
