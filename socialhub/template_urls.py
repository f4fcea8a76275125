"""`{% url %}`, reversing a link whose name and arguments are all literals once per process.

The pages' menus and buttons hold about 17 links such as `{% url 'posts:compose' %}`; Django's tag
reverses each one on every render, about 37 microseconds apiece, 0.6 ms of a dashboard view. Such
a link can only change with what reverse() itself reads besides its arguments: the URL prefix the
server is mounted under, the request's URLconf, the current app's namespace and the language, so
those are the key. A link with a variable in it, or `{% url ... as name %}`, is Django's own node.
Installed as a template builtin (settings.TEMPLATES), so it replaces Django's tag everywhere.
"""

from __future__ import annotations

from django import template
from django.template.base import Variable
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

register = template.Library()


def _literal(expression) -> bool:
    return not isinstance(expression.var, Variable) and not expression.filters


def _current_app(context) -> str | None:
    """The namespace Django's tag passes to reverse() (URLNode.render)."""
    request = getattr(context, "request", None)
    try:
        return request.current_app
    except AttributeError:
        try:
            return request.resolver_match.namespace
        except AttributeError:
            return None


def _environment(context) -> tuple:
    """What besides its arguments, the language and the autoescaping (which `{% language %}` and
    `{% autoescape %}` change within a page) a literal link depends on, read once per render of a
    page rather than for each of its dozen links: the current app's namespace, the prefix, the URLconf."""
    environment = context.render_context.get(_environment)
    if environment is None:
        environment = context.render_context[_environment] = (
            _current_app(context), get_script_prefix(), get_urlconf())
    return environment


class LiteralURLNode(URLNode):
    _reversed: dict[tuple, str] = {}  # at most one entry per literal link and deployment prefix

    def __init__(self, view_name, args, kwargs, asvar):
        super().__init__(view_name, args, kwargs, asvar)
        self.link = (view_name.var, tuple(arg.var for arg in args), tuple((k, v.var) for k, v in kwargs.items()))

    def render(self, context):
        key = (self.link, _environment(context), get_language(), context.autoescape)
        url = self._reversed.get(key)
        if url is None:
            url = self._reversed[key] = super().render(context)
        return url


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    if node.asvar is None and all(map(_literal, [node.view_name, *node.args, *node.kwargs.values()])):
        return LiteralURLNode(node.view_name, node.args, node.kwargs, None)
    return node
