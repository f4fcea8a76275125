"""A Page's published posts' counts, in the metric names the metrics job stores for every network
(posts/metrics.py): reactions, comments and shares, read with the page token
(`pages_read_engagement`, asked for at connect) for up to 50 posts in one call
(GET /?ids=...&fields=..., graph-api multiple-id reads). Graph answers a whole read with 803 when one
of its posts is gone; that batch is then read post by post, so the others keep their numbers. A
video post is known by its video's id (no "_" in it): a video has reactions and comments but no
`shares` field (asking for one fails the whole read), so videos are read apart, without it."""

from __future__ import annotations

from collections.abc import Iterator

from socials.models import Account
from socials.publishers import PublishError

from .client import Graph

POSTS_PER_READ = 50  # Graph's limit on ids in one read
# Summaries only (limit(0): no reactor or comment lists); `shares` is left out when there are none.
VIDEO_FIELDS = "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
FIELDS = VIDEO_FIELDS + ",shares"


def read(account: Account, post_ids: list[str]) -> Iterator[tuple[str, dict | None]]:
    """(post id, metrics) for each id, None for a post Facebook no longer has (deleted, or hidden
    from the page token). Raises PublishError (a rate limit, a refused token)."""
    graph = Graph(account.oauth2_access_token, account=account)
    videos = [i for i in post_ids if "_" not in i]
    for ids, fields in (([i for i in post_ids if "_" in i], FIELDS), (videos, VIDEO_FIELDS)):
        yield from _read(graph, ids, fields)


def _read(graph: Graph, post_ids: list[str], fields: str) -> Iterator[tuple[str, dict | None]]:
    for start in range(0, len(post_ids), POSTS_PER_READ):
        batch = post_ids[start:start + POSTS_PER_READ]
        try:
            found = graph.call("GET", "/", doing="reading posts' counts",
                               params={"ids": ",".join(batch), "fields": fields})
        except PublishError as exc:
            if exc.kind != "not_found":
                raise
            found = dict(_one_by_one(graph, batch, fields))
        for post_id in batch:
            node = found.get(post_id)
            yield post_id, None if not isinstance(node, dict) else counts(node)


def _one_by_one(graph: Graph, post_ids: list[str], fields: str) -> Iterator[tuple[str, dict]]:
    for post_id in post_ids:
        try:
            yield post_id, graph.call("GET", f"/{post_id}", doing="reading a post's counts",
                                      params={"fields": fields})
        except PublishError as exc:
            if exc.kind != "not_found":
                raise


def counts(node: dict) -> dict:
    """Graph's post fields -> ours (X's names, so every network shows alike)."""
    return {
        "likes": _total(node.get("reactions")),
        "replies": _total(node.get("comments")),
        "reposts": int((node.get("shares") or {}).get("count") or 0),
    }


def _total(edge) -> int:
    return int(((edge or {}).get("summary") or {}).get("total_count") or 0)
