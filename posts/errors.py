"""Domain errors raised by the post services. Views turn them into responses."""

from django.core.exceptions import ValidationError  # noqa: F401  (field errors: re-exported)

# The seed's messages, returned word for word.
TOO_LONG = "Tweet content exceeds 280 character limit"
NOT_CONNECTED = "Twitter account not connected for this user"


class NotAllowed(Exception):
    """The actor may not do this to this object (views answer 404 or 403)."""


class InvalidState(Exception):
    """The object is not in a state that allows the action (for example editing a published post)."""


def too_long(limit: int) -> str:
    """The seed's message for X's usual 280; the same words with a Premium account's 25,000."""
    return TOO_LONG if limit == 280 else f"Tweet content exceeds {limit:,} character limit"
