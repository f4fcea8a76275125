"""An account's row as every platform changes it: locked for an update, marked "reconnect needed"."""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Account
from .signals import account_needs_reconnect

log = logging.getLogger(__name__)


def mark_reconnect_needed(account: Account, message: str) -> None:
    """The tokens stopped working: the client and the reseller see "reconnect needed"."""
    Account.objects.filter(pk=account.pk).update(
        state=Account.State.RECONNECT_NEEDED, state_message=message[:255], updated_at=timezone.now()
    )
    account.state, account.state_message = Account.State.RECONNECT_NEEDED, message[:255]
    log.warning("%s account %s needs reconnecting: %s", account.provider, account.pk, message)
    transaction.on_commit(lambda: account_needs_reconnect.send_robust(sender=Account, account=account))


def lock_account(account_id: int) -> Account:
    """Lock the account row for this transaction: SELECT FOR UPDATE on PostgreSQL; on SQLite,
    where that is a no-op, a no-change UPDATE takes the database's write lock instead."""
    Account.objects.filter(pk=account_id).update(updated_at=F("updated_at"))
    return Account.objects.select_for_update().get(pk=account_id)
