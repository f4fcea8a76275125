"""Ready a web process before its first request, then move what it loaded out of the garbage
collector's way; a publishing worker does the same after its first task.

A web process keeps about 240,000 objects alive once it has served its pages: modules, the URL
patterns, compiled templates. Python's full collection walks every one of them, and one took
110-125 ms here, so about one request in 300 waited that long: the p99 of the lists
(docs/performance.md, "Collector pauses"). Django builds the URL resolver and compiles each template
on first use, so this builds them up front, then `gc.freeze()` moves everything the process holds
into the permanent generation, which collections skip. What a request creates is still collected as
before. With gunicorn's `--preload` the master does this once and its workers share the pages.
https://docs.python.org/3.11/library/gc.html#gc.freeze
"""

from __future__ import annotations

import gc
from pathlib import Path

from django.template import TemplateSyntaxError, engines
from django.urls import get_resolver


def compile_templates() -> int:
    """Compile every template in the project's own template folders (TEMPLATES' DIRS) into the
    cached loader, and return how many. A broken template raises TemplateSyntaxError here, so a
    deploy fails at start-up rather than on the page."""
    count = 0
    for engine in engines.all():
        for folder in map(Path, engine.dirs):
            for path in sorted(folder.rglob("*.html")):
                name = path.relative_to(folder).as_posix()
                try:
                    engine.get_template(name)
                except TemplateSyntaxError as exc:  # Django names the template only with DEBUG on
                    raise TemplateSyntaxError(f"{name}: {exc}") from exc
                count += 1
    return count


def warm_up() -> None:
    """Build the URL resolver and compile the templates, then freeze what the process holds."""
    get_resolver().reverse_dict  # imports every view and builds the reverse lookups
    compile_templates()
    gc.freeze()


def freeze_after_first_task(**kwargs) -> None:
    """django-q2's post_execute_in_worker: once a worker process has run its first task it holds
    what publishing needs (the platforms' clients, requests, the compiled statements), so it
    freezes it. A publishing worker's full collections took up to 80 ms each, about 4% of its
    CPU (docs/performance.md, "Collector pauses"), with every thread of the worker stopped."""
    if not gc.get_freeze_count():
        gc.freeze()
