"""django-q2 tasks: thin, they call the one place that does the work."""

from . import analytics


def refresh_metrics() -> str:
    run = analytics.refresh_metrics()
    return f"{run.updated} updated, {run.unavailable} unavailable, {run.skipped} skipped"
