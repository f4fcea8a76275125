"""The spend panel reads a monthly rollup the database keeps; it always equals the ledger's sums,
and recount_spend repairs it."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from costs import rollup, selectors
from costs.models import SpendMonth, XCall
from socialhub import compiled
from tests.conftest import write_concurrently

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 15, 12, tzinfo=UTC)  # this month: November 2026, last month: October


def call(client, micros, *, at=NOW, x_app="platform") -> XCall:
    return XCall(at=at, day=at.astimezone(UTC).date(), client=client, x_app=x_app,
                 endpoint="POST /2/tweets", kind="post_create", micros=micros)


def charge(client, micros, **fields) -> XCall:
    made = call(client, micros, **fields)
    made.save()
    return made


def panel(user, now=NOW) -> dict:
    """What the dashboard's spend panel shows per month: the total, and (micros, calls) per client and per app."""
    usage = selectors.usage(user, now=now)
    return {name: {"micros": month["micros"],
                   "clients": {c["username"]: (c["micros"], c["calls"]) for c in month["clients"]},
                   "x_apps": {a["x_app"]: (a["micros"], a["calls"]) for a in month["x_apps"]}}
            for name, month in usage.items() if name in ("this_month", "last_month")}


def ledger(calls=None, now=NOW) -> dict:
    """The same, summed in Python from the ledger's rows."""
    calls = list(XCall.objects.select_related("client") if calls is None else calls)
    answer = {}
    for name, (start, end) in selectors.months(now).items():
        month = {"micros": 0, "clients": {}, "x_apps": {}}
        for c in calls:
            if start <= c.at < end:
                month["micros"] += c.micros
                for totals, key in ((month["clients"], c.client and c.client.username), (month["x_apps"], c.x_app)):
                    micros, n = totals.get(key, (0, 0))
                    totals[key] = (micros + c.micros, n + 1)
        answer[name] = month
    return answer


def rolled_up() -> dict:
    return {(r.month, r.client_id, r.x_app): (r.micros, r.calls) for r in SpendMonth.objects.exclude(calls=0)}


def summed() -> dict:
    totals = {}
    for c in XCall.objects.all():
        key = (c.at.astimezone(UTC).date().replace(day=1), c.client_id, c.x_app)
        micros, n = totals.get(key, (0, 0))
        totals[key] = (micros + c.micros, n + 1)
    return totals


def test_the_panel_equals_the_ledger_after_inserts_updates_and_deletes(sam, alice, bob):
    last_month = NOW - dt.timedelta(days=20)
    first = charge(alice, 200_000)
    compiled.insert([call(alice, 15_000, x_app="client-app-1"), call(bob, 15_000), call(None, 5_000)])  # the recorder's way
    XCall.objects.bulk_create([call(bob, 1_000, at=last_month), call(alice, 5_000, at=last_month)])
    XCall.objects.filter(pk=first.pk).update(micros=215_000)  # repriced
    XCall.objects.filter(client=bob, at=last_month).update(at=NOW)  # moved into this month
    XCall.objects.filter(client=alice, at=last_month).update(client=bob, x_app="client-app-2")
    XCall.objects.filter(client=None).delete()

    assert panel(sam) == ledger()
    assert panel(sam)["this_month"] == {
        "micros": 246_000,
        "clients": {"alice": (230_000, 2), "bob": (16_000, 2)},
        "x_apps": {"platform": (231_000, 3), "client-app-1": (15_000, 1)},
    }
    assert panel(sam)["last_month"]["clients"] == {"bob": (5_000, 1)}
    assert rolled_up() == summed()


def test_a_change_that_keeps_month_client_app_and_price_leaves_the_rollup_alone(alice):
    made = charge(alice, 15_000)
    XCall.objects.filter(pk=made.pk).update(endpoint="GET /2/tweets", at=NOW + dt.timedelta(days=1))
    assert rolled_up() == summed() == {(dt.date(2026, 11, 1), alice.pk, "platform"): (15_000, 1)}


def test_a_deleted_clients_spend_stays_in_the_totals_without_a_client(sam, alice, bob):
    charge(alice, 200_000)
    charge(bob, 15_000)
    charge(bob, 5_000, at=NOW - dt.timedelta(days=20))
    charge(None, 1_000)
    bob.delete()  # the ledger keeps bob's calls, with no client (SET_NULL)
    connection.check_constraints()  # no rollup row points at bob

    assert panel(sam) == ledger()
    assert panel(sam)["this_month"]["clients"] == {"alice": (200_000, 1), None: (16_000, 2)}
    assert panel(sam)["last_month"]["clients"] == {None: (5_000, 1)}
    assert rolled_up() == summed()


def test_calls_either_side_of_a_month_boundary_count_in_their_own_utc_month(sam, alice):
    november = dt.datetime(2026, 11, 1, tzinfo=UTC)
    charge(alice, 1, at=november - dt.timedelta(microseconds=1))  # October's last instant
    charge(alice, 10, at=november)  # November's first
    charge(alice, 100, at=dt.datetime(2026, 11, 1, 0, 30, tzinfo=ZoneInfo("Europe/Berlin")))  # 23:30 UTC in October
    charge(alice, 1_000, at=dt.datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC))  # two months ago: not shown
    charge(alice, 10_000, at=dt.datetime(2026, 12, 1, tzinfo=UTC))  # next month: not shown yet

    shown = panel(sam)
    assert shown == ledger()
    assert (shown["this_month"]["micros"], shown["last_month"]["micros"]) == (10, 101)
    assert panel(sam, now=dt.datetime(2026, 12, 1, tzinfo=UTC))["last_month"]["micros"] == 10
    assert rolled_up() == summed()


def test_a_reseller_and_a_client_see_only_their_clients_in_the_rollup(rita, alice, bob, task):
    charge(alice, 15_000)
    charge(bob, 200_000)
    charge(None, 5_000)
    assert panel(rita)["this_month"]["clients"] == panel(alice)["this_month"]["clients"] == {"alice": (15_000, 1)}
    assert panel(bob)["this_month"]["micros"] == 200_000


def test_recount_spend_repairs_a_tampered_rollup_and_the_panel_shows_it(sam, alice, bob):
    charge(alice, 200_000)
    charge(alice, 15_000)
    charge(bob, 5_000, at=NOW - dt.timedelta(days=20))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE costs_spendmonth SET micros = 1000, calls = 9 WHERE client_id = %s", [alice.pk])
        cursor.execute("DELETE FROM costs_spendmonth WHERE client_id = %s", [bob.pk])
    SpendMonth.objects.create(month=dt.date(2026, 11, 1), client=None, x_app="ghost", micros=7, calls=1)
    assert panel(sam)["this_month"]["clients"]["alice"] == (1_000, 9)  # the panel reads the rollup

    out = io.StringIO()
    call_command("recount_spend", stdout=out)

    assert panel(sam) == ledger() and rolled_up() == summed()
    text = out.getvalue()
    assert f"2026-11, client {alice.pk}, X app platform: was $0.001 in 9 calls, now $0.215 in 2 calls" in text
    assert f"2026-10, client {bob.pk}, X app platform: was $0.00 in 0 calls, now $0.005 in 1 calls" in text
    assert "2026-11, client none, X app ghost" in text and "Fixed 3 monthly total(s)." in text
    out = io.StringIO()
    call_command("recount_spend", stdout=out)
    assert "The monthly spend totals were exact." in out.getvalue()


def test_recount_spend_puts_missing_triggers_back(sam, alice):
    rollup.uninstall()
    charge(alice, 15_000)  # not rolled up: no trigger
    assert panel(sam)["this_month"]["micros"] == 0
    out = io.StringIO()
    call_command("recount_spend", stdout=out)
    assert "triggers were missing" in out.getvalue() and rollup.installed()
    charge(alice, 5_000)
    assert panel(sam) == ledger() and panel(sam)["this_month"]["micros"] == 20_000


def test_after_migrate_missing_triggers_come_back_with_exact_totals(alice):
    # SQLite drops a table's triggers when a migration rebuilds the table; post_migrate repairs it.
    rollup.uninstall()
    charge(alice, 15_000)
    rollup.ensure_installed(using="default")
    assert rollup.installed() and rolled_up() == summed() == {(dt.date(2026, 11, 1), alice.pk, "platform"): (15_000, 1)}


# --- Concurrent writers (PostgreSQL: real concurrency; SQLite has a single writer).

def _step(client_ids: list):
    months = [NOW, NOW - dt.timedelta(days=20)]
    apps = ["platform", "client-app-1"]

    def new_call(rng):
        at = rng.choice(months)
        return XCall(at=at, day=at.date(), client_id=rng.choice(client_ids), x_app=rng.choice(apps),
                     endpoint="POST /2/tweets", kind="post_create", micros=rng.choice([1_000, 5_000, 15_000]))

    def step(rng):
        kind = rng.random()
        if kind < 0.5:  # the recorder: one raw INSERT of one or a few calls
            compiled.insert([new_call(rng) for _ in range(rng.randint(1, 3))])
        elif kind < 0.7:  # a few calls repriced or moved to another client, app or month
            ids = list(XCall.objects.order_by("?").values_list("pk", flat=True)[:3])
            XCall.objects.filter(pk__in=ids).update(
                client_id=rng.choice(client_ids), x_app=rng.choice(apps), at=rng.choice(months))
        elif kind < 0.8:
            XCall.objects.filter(pk__in=XCall.objects.order_by("?").values("pk")[:2]).update(micros=200_000)
        else:  # calls go, and one comes, in the same transaction
            XCall.objects.filter(pk__in=list(XCall.objects.order_by("?").values_list("pk", flat=True)[:2])).delete()
            compiled.insert([new_call(rng)])

    return step


@pytest.mark.django_db(transaction=True)
def test_the_rollup_stays_exact_under_concurrent_calls_from_several_connections(sam, alice, bob):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    client_ids = [alice.pk, bob.pk, None]
    compiled.insert([call(None, 1_000), call(alice, 1_000), call(bob, 1_000, at=NOW - dt.timedelta(days=20))])
    write_concurrently(_step(client_ids))
    assert rolled_up() == summed()
    assert panel(sam) == ledger()
    assert XCall.objects.count() > 3  # calls were added, moved and deleted meanwhile
