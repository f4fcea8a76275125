"""Two workers find the same Bluesky session about to expire at once: one refreshes it, the other
waits on the account's row lock and uses the new pair. Bluesky rotates the refresh token, so a
second refresh with the old one would be refused and wrongly ask the client to reconnect."""

import threading

import pytest
from django.db import connection

from platforms.bluesky import client as bluesky_client
from platforms.bluesky import identity
from socials import services
from socials.models import Account
from tests.platforms.conftest import BLUESKY_HANDLE, BLUESKY_PASSWORD
from tests.platforms.helpers import control

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_refresh_an_expiring_session_once(sandbox, alice, bluesky_account):
    control(sandbox, "bluesky/config", access_ttl=60)  # inside the refresh margin at once
    session = bluesky_client.sign_in(identity.resolve(BLUESKY_HANDLE), BLUESKY_PASSWORD)
    Account.objects.filter(pk=bluesky_account.pk).update(
        oauth2_access_token=session["access_jwt"], oauth2_refresh_token=session["refresh_jwt"])
    reports, start = [], threading.Barrier(2)

    def worker():
        try:
            account = Account.objects.get(pk=bluesky_account.pk)
            start.wait()
            reports.append(services.test_connection(actor=alice, account=account))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [r.works for r in reports] == [True, True]
    assert sandbox.state.refreshes == 1
    assert Account.objects.get(pk=bluesky_account.pk).state == Account.State.CONNECTED
