"""Published media's public counts, in the metric names the metrics job stores for every network
(posts/metrics.py): like_count and comments_count, fields of the media itself that the
instagram_business_basic scope SocialHub asks for already reads (GET /{ig-media-id}, one call each;
views, reach and saves are insights, which need instagram_business_manage_insights)."""

from __future__ import annotations

from collections.abc import Iterator

from socials.models import Account
from socials.publishers import PublishError

from . import client

# At most this many media per account and run, so reading counts never spends the calls publishing
# needs (Instagram's limits are per account and hour). The rest wait for the next run.
READS_PER_RUN = 50
METRIC_NAMES = {"like_count": "likes", "comments_count": "replies"}  # theirs -> ours (X's names)


def read(account: Account, media_ids: list[str]) -> Iterator[tuple[str, dict | None]]:
    """(media id, metrics) for each id, None for media Instagram no longer shows (deleted), for the
    first READS_PER_RUN ids. Raises PublishError (a rate limit, a refused token)."""
    api = client.for_account(account)
    for media_id in media_ids[:READS_PER_RUN]:
        try:
            media = api.counts(media_id)
        except PublishError as exc:
            if exc.kind != "not_found":
                raise
            yield media_id, None
            continue
        yield media_id, {ours: int(media[theirs]) for theirs, ours in METRIC_NAMES.items()
                         if media.get(theirs) is not None}
