"""django-q2 tasks: thin, they call the one place that does the work."""

from . import analytics


def refresh_metrics() -> str:
    run = analytics.refresh_metrics()
    return f"{run.updated} updated, {run.unavailable} unavailable, {run.skipped} skipped"


def refresh_post_metrics(post_id: int) -> str:
    run = analytics.refresh_metrics(post_id=post_id)
    return f"post {post_id}: {run.updated} updated, {run.unavailable} unavailable, {run.skipped} skipped"
