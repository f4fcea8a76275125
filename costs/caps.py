"""Monthly spend caps on X, per client or per X app (costs.models.SpendCap).

Before a channel sends anything, what it will cost (its parts still to send, at X's prices) is
added to what the client's accounts, and the X app it signs with, spent this UTC month. Over a cap,
posts.publishing holds the channel with the reason (the post is not failed) and the reseller and
staff are told. Raising or removing the cap (`set_cap`) has publishing release the held channels
(posts.publishing.release); each is checked afresh when it is about to send. The check is an
estimate made just before sending: two posts sent at the same moment may together pass a cap by
one post's price.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from posts.models import PostChannel
from socialhub.errors import NotAllowed
from socials.error_kinds import ErrorKind

from . import prices, selectors
from .models import SpendCap
from .recorder import app_of

HELD_KIND = ErrorKind.SPEND_CAP  # posts.publishing holds the channel


def may_apply() -> Exists:
    """For a PostChannel queryset's annotate(may_be_capped=...): whether a cap may apply to the
    channel (its client has one, or some X app has). Read with the channels, it spares the
    uncapped channel, nearly every one, a query of its own before it sends (docs/performance.md)."""
    return Exists(SpendCap.objects.filter(Q(client_id=OuterRef("account__user_id")) | ~Q(x_app="")))


def reason_to_hold(channel: PostChannel, parts: list) -> str:
    """Why the channel must wait (a sentence for people), or "" when it may send. `parts`: the
    thread parts it still has to send (ThreadPart)."""
    account = channel.account
    if account.provider != "twitter" or not getattr(channel, "may_be_capped", True):
        return ""  # only X bills per call; no cap at all applies
    cost = prices.estimate([(p.text, sum(1 for m in p.media if m.alt_text)) for p in parts]).micros
    if not cost:
        return ""
    app = app_of(account)
    for cap in SpendCap.objects.filter(Q(client_id=account.user_id) | Q(x_app=app)).select_related("client"):
        if cap.client_id:
            spent = selectors.month_spend(client_id=account.user_id)
            whose = f"{cap.client.get_full_name() or cap.client.username}'s X spend"
        else:
            spent = selectors.month_spend(x_app=app)
            whose = "the X spend of its X app" if app != "platform" else "the X spend of SocialHub's X app"
        if spent + cost > cap.monthly_micros:
            return (f"Held: sending it ({prices.usd(cost)}) would take {whose} this month to "
                    f"{prices.usd(spent + cost)}, over the monthly cap of {prices.usd(cap.monthly_micros)}. "
                    "It goes out once staff raise the cap, or when the month turns.")
    return ""


@transaction.atomic
def set_cap(*, actor, client=None, x_app: str = "", monthly_usd) -> SpendCap | None:
    """Set (or with `monthly_usd` None, remove) the monthly cap of a client or an X app, then queue
    again the channels it held. Staff only. Raises NotAllowed or ValidationError."""
    if not (actor.is_authenticated and actor.is_platform_staff):
        raise NotAllowed("Only staff set spend caps.")
    if (client is None) == (not x_app):
        raise ValidationError({"client": ["Give a client or an X app, not both."]})
    scope = {"client": client} if client is not None else {"x_app": x_app}
    if monthly_usd in (None, ""):
        SpendCap.objects.filter(**scope).delete()
        cap = None
    else:
        try:
            amount = Decimal(str(monthly_usd))
        except InvalidOperation:
            raise ValidationError({"monthly_usd": ["Give the cap in dollars, like 25 or 12.50."]}) from None
        if amount < 0:
            raise ValidationError({"monthly_usd": ["A cap cannot be negative."]})
        cap, _ = SpendCap.objects.update_or_create(**scope, defaults={"monthly_usd": amount})
    release(client=client, x_app=x_app)
    return cap


def release(*, client=None, x_app: str = "") -> int:
    """Queue again the channels held by a cap of this client or X app; their posts go to a worker
    after commit, and each channel checks the cap again before it sends."""
    from posts import publishing

    held = PostChannel.objects.filter(state=PostChannel.State.HELD, error_kind=HELD_KIND).select_related("account")
    if client is not None:
        held = held.filter(account__user=client)
    ids = [c.pk for c in held if client is not None or app_of(c.account) == x_app]
    return publishing.release(PostChannel.objects.filter(pk__in=ids))
