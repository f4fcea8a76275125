"""The post services' own errors. Views turn them into responses."""

from socialhub.errors import InvalidState

STALE = "This post changed since you opened it"


class Stale(InvalidState):
    """A review named a version of the post that is no longer current: nothing was reviewed.
    `post` is the post as it is now, to show the reviewer (pages and the API answer 409)."""

    def __init__(self, post):
        super().__init__(f"{STALE}: it is now version {post.version}. Read it again before you review it.")
        self.post = post
