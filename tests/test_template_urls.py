"""Links written with literals only are reversed once per process (socialhub/template_urls.py):
they must still follow where the site is mounted, and links with variables stay per render."""

from django.template import engines
from django.test import RequestFactory
from django.urls import clear_script_prefix, set_script_prefix


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context, request=RequestFactory().get("/"))


def test_a_literal_link_is_the_reversed_url():
    assert render("{% url 'posts:compose' %}") == "/posts/new/"


def test_a_literal_link_follows_the_prefix_the_site_is_mounted_under():
    render("{% url 'posts:compose' %}")  # remembered under the root prefix
    set_script_prefix("/agency/")
    try:
        assert render("{% url 'posts:compose' %}") == "/agency/posts/new/"
    finally:
        clear_script_prefix()
    assert render("{% url 'posts:compose' %}") == "/posts/new/"


def test_links_with_variables_are_reversed_for_each_value():
    source = "{% url 'posts:detail' pk %}"
    assert [render(source, pk=pk) for pk in (1, 2)] == ["/posts/1/", "/posts/2/"]


def test_a_link_kept_in_a_variable_is_set_each_time():
    assert render("{% url 'posts:compose' as link %}[{{ link }}]") == "[/posts/new/]"
