"""What happens to posts, for whoever wants to know (notifications, webhooks).

Each signal is sent after the transaction that caused it commits, so a rolled-back action tells
nobody. Receivers must not raise: a failing notification never undoes or blocks the action.
"""

from django.db import transaction
from django.dispatch import Signal

post_submitted = Signal()  # post: waits for the client's review (new, or edited after a rejection)
post_reviewed = Signal()  # post, review (ReviewEvent): approved or rejected, with feedback
post_published = Signal()  # post: every channel is on X (channel.remote_url holds the links)
post_failed = Signal()  # post: a channel failed for good (channel.last_error says what to do)
post_held = Signal()  # post, reason: a channel waits, held by a monthly spend cap on X (costs/caps.py)


def send_on_commit(signal: Signal, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send_robust(sender=type(kwargs.get("post")), **kwargs))
