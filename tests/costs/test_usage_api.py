"""GET /api/usage: spend per client and per X app, this month and last, scoped to who asks."""

import datetime as dt

from django.utils import timezone

from costs.models import XCall
from posts.models import TaskAssign
from tests.conftest import make_account


def charge(account, micros, *, at=None, x_app="platform", kind="post_create"):
    at = at or timezone.now()
    return XCall.objects.create(at=at, day=at.date(), account=account, client=account.user, x_app=x_app,
                                endpoint="POST /2/tweets", kind=kind, micros=micros)


def test_staff_see_every_client_and_app_this_month_and_last(client, sam, alice, bob):
    alice_x, bob_x = make_account(alice, "alice_x"), make_account(bob, "bob_x")
    charge(alice_x, 200_000)
    charge(alice_x, 15_000, x_app="client-app-1")
    charge(bob_x, 15_000)
    charge(bob_x, 5_000, at=timezone.now().replace(day=1) - dt.timedelta(days=3))
    client.force_login(sam)

    body = client.get("/api/usage").json()

    this = body["this_month"]
    assert this["usd"] == "$0.23" and this["micros"] == 230_000
    assert [(c["username"], c["usd"]) for c in this["clients"]] == [("alice", "$0.215"), ("bob", "$0.015")]
    assert {a["x_app"]: a["micros"] for a in this["x_apps"]} == {"platform": 215_000, "client-app-1": 15_000}
    assert {a["x_app"]: a["name"] for a in this["x_apps"]} == {"platform": "SocialHub's X app",
                                                               "client-app-1": "client-app-1"}
    assert body["last_month"]["usd"] == "$0.005"


def test_a_client_x_app_is_named_after_its_client(client, sam, alice):
    from agency.models import ClientXApp

    ClientXApp.objects.create(client=alice, oauth2_client_id="client-app-1", oauth2_client_secret="s")
    charge(make_account(alice, "alice_x"), 15_000, x_app="client-app-1")
    client.force_login(sam)

    apps = client.get("/api/usage").json()["this_month"]["x_apps"]

    assert [(a["name"], a["usd"]) for a in apps] == [("alice's X app", "$0.015")]


def test_caps_show_beside_the_spend(client, sam, alice):
    from costs import caps

    charge(make_account(alice, "alice_x"), 15_000)
    caps.set_cap(actor=sam, client=alice, monthly_usd="25")
    client.force_login(sam)

    row = client.get("/api/usage").json()["this_month"]["clients"][0]

    assert (row["usd"], row["monthly_cap_usd"]) == ("$0.015", "$25.00")
    assert "of a $25.00 cap" in client.get("/posts/").content.decode()


def test_an_apps_cap_and_its_clients_full_name_show_beside_its_spend(client, sam, alice):
    from agency.models import ClientXApp
    from costs import caps

    alice.first_name, alice.last_name = "Alice", "Shop"
    alice.save()
    ClientXApp.objects.create(client=alice, oauth2_client_id="client-app-1", oauth2_client_secret="s")
    charge(make_account(alice, "alice_x"), 15_000, x_app="client-app-1")
    caps.set_cap(actor=sam, x_app="client-app-1", monthly_usd="12.345")
    caps.set_cap(actor=sam, client=alice, monthly_usd="0.125")
    client.force_login(sam)

    this = client.get("/api/usage").json()["this_month"]

    assert [(a["name"], a["monthly_cap_usd"]) for a in this["x_apps"]] == [("Alice Shop's X app", "$12.345")]
    assert [(c["username"], c["monthly_cap_usd"]) for c in this["clients"]] == [("alice", "$0.125")]


def test_the_spend_panel_shows_names_as_text(client, sam, alice):
    from agency.models import ClientXApp

    alice.first_name, alice.last_name = "<b>Alice</b>", "Shop"
    alice.save()
    ClientXApp.objects.create(client=alice, oauth2_client_id="client-app-1", oauth2_client_secret="s")
    charge(make_account(alice, "alice_x"), 15_000, x_app="client-app-1")
    client.force_login(sam)

    page = client.get("/posts/").content.decode()

    assert "<th scope=\"row\">&lt;b&gt;Alice&lt;/b&gt; Shop&#x27;s X app</th>" in page
    assert "<b>Alice</b>" not in page


def test_a_reseller_sees_only_their_clients(client, rita, alice, bob, task):
    TaskAssign.objects.create(user=alice, reseller=rita, title="Summer")  # a second task: still counted once
    charge(make_account(alice, "alice_x"), 15_000)
    charge(make_account(bob, "bob_x"), 200_000)
    client.force_login(rita)

    clients = client.get("/api/usage").json()["this_month"]["clients"]

    assert [(c["username"], c["micros"]) for c in clients] == [("alice", 15_000)]


def test_a_client_sees_only_their_own(client, alice, bob):
    charge(make_account(bob, "bob_x"), 200_000)
    client.force_login(alice)
    assert client.get("/api/usage").json()["this_month"]["micros"] == 0


def test_it_needs_a_login(client):
    assert client.get("/api/usage").status_code == 401


def test_the_admin_ledger_shows_spend_per_client_and_x_app(client, sam, alice):
    charge(make_account(alice, "alice_x"), 200_000, x_app="client-app-1")
    client.force_login(sam)
    page = client.get("/admin/costs/xcall/").content.decode()
    assert "This month: $0.20 (clients: alice $0.20; X apps: client-app-1 $0.20)" in page
