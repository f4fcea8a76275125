"""socialhub.html: the same fragments as Django's format_html and format_html_join."""

import datetime as dt

from django.utils import html as django_html
from django.utils.functional import lazy
from django.utils.safestring import SafeString, mark_safe

from socialhub import html

VALUES = [
    "plain", "<b>&\"'quoted'</b>", "", mark_safe("<i>safe</i>"), SafeString("<br>"), 42, 3.5, None,
    dt.date(2026, 12, 1), lazy(lambda: "<lazy & text>", str)(), lazy(lambda: mark_safe("<u>x</u>"), str)(),
]


def test_format_html_escapes_each_value_as_django_does():
    for value in VALUES:
        ours = html.format_html('<a title="{}">{}</a>', value, value)
        assert ours == django_html.format_html('<a title="{}">{}</a>', value, value)
        assert isinstance(ours, SafeString)


def test_format_html_takes_names_as_django_does():
    ours = html.format_html("<p>{a} {b}</p>", a="<x>", b=mark_safe("<y>"))
    assert ours == django_html.format_html("<p>{a} {b}</p>", a="<x>", b=mark_safe("<y>")) == "<p>&lt;x&gt; <y></p>"


def test_format_html_join_escapes_as_django_does():
    rows = [(value, "<&>") for value in VALUES]
    ours = html.format_html_join("\n", "<li>{} {}</li>", iter(rows))
    assert ours == django_html.format_html_join("\n", "<li>{} {}</li>", iter(rows))
    assert isinstance(ours, SafeString)
    assert html.format_html_join("", "{}", []) == ""
