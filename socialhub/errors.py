"""Domain errors every app's services raise. Views turn them into responses (socialhub.api for the
REST API: NotAllowed answers 404, InvalidState 409)."""


class NotAllowed(Exception):
    """The actor may not do this to this object (views answer 404 or 403)."""


class InvalidState(Exception):
    """The object is not in a state that allows the action (for example editing a published post)."""
