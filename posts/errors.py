"""Domain errors raised by the post services. Views turn them into responses."""

from django.core.exceptions import ValidationError  # noqa: F401  (field errors: re-exported)

# The seed's messages, returned word for word.
TOO_LONG = "Tweet content exceeds 280 character limit"
NOT_CONNECTED = "Twitter account not connected for this user"


class NotAllowed(Exception):
    """The actor may not do this to this object (views answer 404 or 403)."""


class InvalidState(Exception):
    """The object is not in a state that allows the action (for example editing a published post)."""


STALE = "This post changed since you opened it"


class Stale(InvalidState):
    """A review named a version of the post that is no longer current: nothing was reviewed.
    `post` is the post as it is now, to show the reviewer (pages and the API answer 409)."""

    def __init__(self, post):
        super().__init__(f"{STALE}: it is now version {post.version}. Read it again before you review it.")
        self.post = post
