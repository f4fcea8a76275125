"""A web process compiles its pages before the first request and keeps what it loaded out of the
garbage collector's full passes (socialhub/warmup.py): without that, about one request in 300 waited
over 100 ms for a collection (docs/performance.md, "Collector pauses")."""

from pathlib import Path

import pytest
from django.template import TemplateSyntaxError
from django.test import override_settings

from socialhub.warmup import compile_templates
from tests.conftest import run_probe

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import gc, time
from django.template import engines
import socialhub.wsgi
loader = engines["django"].engine.template_loaders[0]
print(gc.get_freeze_count() > 100_000, "posts/inbox.html" in loader.get_template_cache, "base.html" in loader.get_template_cache)
print(len(gc.get_objects()) < 20_000)
"""


def test_the_web_process_starts_with_its_templates_compiled_and_its_objects_frozen():
    lines = run_probe(PROBE)
    # Frozen: a full collection walks only what requests make, not the process's own 240,000 objects.
    assert lines[:2] == ["True True True", "True"]


def test_every_project_template_compiles():
    assert compile_templates() == len(list((ROOT / "templates").rglob("*.html")))


def test_a_broken_template_stops_the_start_naming_the_template(tmp_path, settings):
    (tmp_path / "fine.html").write_text("{{ fine }}")
    (tmp_path / "broken.html").write_text("{% if %}oops")
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path], "APP_DIRS": False}]
    with override_settings(TEMPLATES=templates), pytest.raises(TemplateSyntaxError) as raised:
        compile_templates()
    assert str(raised.value).startswith("broken.html: ")


WORKER_PROBE = """
import gc, django
django.setup()
from django_q.signals import post_execute_in_worker
before = gc.get_freeze_count()
post_execute_in_worker.send(sender="django_q", func=print, task={"name": "first"})
print(before, gc.get_freeze_count() > 50_000)
"""


def test_a_publishing_worker_freezes_what_it_holds_after_its_first_task():
    lines = run_probe(WORKER_PROBE)
    assert lines[0] == "0 True"
