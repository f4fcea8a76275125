"""Scheduled work for other networks' accounts (django-q2; the schedule is made in
platforms/migrations/0002)."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from socials.models import Account

from .models import AccessEndingWarning
from .registry import EXPIRY_WARNING
from .signals import access_ending

log = logging.getLogger(__name__)


def warn_of_access_ending() -> int:
    """A week before a LinkedIn token ends (it cannot be refreshed), tell the client: once per
    token, however often this runs. A member and its pages share one token, so one warning names
    them all. Returns how many warnings were sent."""
    from .linkedin.accounts import sharing_token

    now = timezone.now()
    # Warned already: the account's own token, or its administrator's (the same end).
    warned = AccessEndingWarning.objects.filter(expires_at=OuterRef("expires_at"))
    due = (Account.objects.filter(provider="linkedin", state=Account.State.CONNECTED,
                                  expires_at__gt=now, expires_at__lte=now + EXPIRY_WARNING)
           .exclude(Exists(warned.filter(account=OuterRef("pk"))))
           .exclude(Exists(warned.filter(account=OuterRef("linkedin_page__administrator"))))
           .select_related("user", "linkedin_page__administrator").order_by("pk"))
    sent, seen = 0, set()
    for account in due:
        link = getattr(account, "linkedin_page", None)
        member = link.administrator if link else account
        if member.pk in seen:
            continue
        seen.add(member.pk)
        group = sharing_token(member)
        owner = group[0] if group else account
        try:
            with transaction.atomic():
                AccessEndingWarning.objects.create(account=owner, expires_at=owner.expires_at)
        except IntegrityError:
            continue  # told already (this token, or by a run at the same time)
        access_ending.send_robust(sender=Account, accounts=group or [account], ends_at=owner.expires_at)
        sent += 1
    if sent:
        log.info("Warned of %d LinkedIn token(s) ending within %s", sent, EXPIRY_WARNING)
    return sent
