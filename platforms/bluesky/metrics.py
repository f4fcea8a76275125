"""Published posts' public counts, in the metric names the metrics job stores for every network
(posts/metrics.py): app.bsky.feed.getPosts, 25 posts a call, through the account's PDS (which
passes app.bsky calls on to the AppView)."""

from __future__ import annotations

from collections.abc import Iterator

from socials.models import Account

from . import client
from .publisher import at_uri

POSTS_PER_LOOKUP = 25  # getPosts' limit
# The post view's fields (atproto's names) -> ours (X's names, so every network shows alike).
METRIC_NAMES = {"like_count": "likes", "repost_count": "reposts", "reply_count": "replies", "quote_count": "quotes"}


def read(account: Account, rkeys: list[str]) -> Iterator[tuple[str, dict | None]]:
    """(record key, metrics) for each key, None for a post Bluesky no longer shows (deleted or
    taken down: getPosts leaves it out). Raises PublishError."""
    api = client.account_client(account)
    for start in range(0, len(rkeys), POSTS_PER_LOOKUP):
        uris = {at_uri(account, rkey): rkey for rkey in rkeys[start:start + POSTS_PER_LOOKUP]}
        try:
            views = {view.uri: view for view in api.app.bsky.feed.get_posts({"uris": list(uris)}).posts}
        except client.FAILURES as exc:
            raise client.error(exc, doing="reading posts' counts", account=account) from exc
        for uri, rkey in uris.items():
            view = views.get(uri)
            yield rkey, None if view is None else {
                ours: int(getattr(view, theirs)) for theirs, ours in METRIC_NAMES.items()
                if getattr(view, theirs, None) is not None
            }
