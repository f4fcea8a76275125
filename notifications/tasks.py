"""django-q2 tasks: thin, ids only."""

from . import services, webhooks


def flush(user_id: int) -> None:
    services.flush(user_id=user_id)


def deliver_webhook(delivery_id: int) -> None:
    webhooks.deliver(delivery_id=delivery_id)
