"""django-q2 tasks: thin, ids only. The post's own state decides what happens, so a task
delivered twice (or run on two machines) publishes once."""

import logging

from django.dispatch import receiver
from django_q.signals import pre_execute

from . import metrics, publishing

log = logging.getLogger(__name__)


@receiver(pre_execute)
def _log_job(sender, func, task, **kwargs):
    if str(task.get("func", "")).startswith("posts.tasks."):
        log.info("Processing job %s with name %s", task.get("id"), task.get("name"))


def publish(post_id: int) -> None:
    publishing.publish_post(post_id=post_id)


def publish_many(post_ids: list[int]) -> None:
    publishing.publish_posts(post_ids=post_ids)


def refresh_metrics() -> str:
    run = metrics.refresh_metrics()
    return f"{run.updated} updated, {run.unavailable} unavailable, {run.skipped} skipped"


def refresh_first_metrics() -> str:
    run = metrics.refresh_metrics(first_reads=True)
    return f"{run.updated} updated, {run.unavailable} unavailable, {run.skipped} skipped"
