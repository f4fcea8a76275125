"""A published status's public counts, in the metric names the metrics job stores for every
network (posts/metrics.py): the status's favourites, boosts and replies (GET /api/v1/statuses/:id,
one call each, which every Mastodon version answers)."""

from __future__ import annotations

from collections.abc import Iterator

from mastodon.errors import MastodonError, MastodonNotFoundError

from socials.models import Account

from . import client

# At most this many statuses per account and run: a third of Mastodon's 300 calls per 5 minutes
# per token, so reading counts never leaves publishing without budget. The rest wait for the next run.
READS_PER_RUN = 100
# Mastodon's status fields -> ours (X's names, so pages and the API show every network alike).
METRIC_NAMES = {"favourites_count": "likes", "reblogs_count": "reposts", "replies_count": "replies"}


def read(account: Account, status_ids: list[str]) -> Iterator[tuple[str, dict | None]]:
    """(status id, metrics) for each id, None for a status the instance no longer shows (deleted
    or hidden), for the first READS_PER_RUN ids. Raises PublishError (a 429, a refused token)."""
    api = client.account_api(account)
    for status_id in status_ids[:READS_PER_RUN]:
        try:
            status = api.status(status_id)
        except MastodonNotFoundError:
            yield status_id, None
            continue
        except MastodonError as exc:
            raise client.error(exc, doing="reading a post's counts", account=account, client=api) from exc
        yield status_id, {ours: int(status[theirs]) for theirs, ours in METRIC_NAMES.items()
                          if status.get(theirs) is not None}
