"""Templates: rita's own, rex's own, and one shared by sam."""

import pytest

from content_templates import services


@pytest.fixture
def make_template():
    def _make(actor, **fields):
        fields.setdefault("name", "Launch")
        fields.setdefault("text", "Hello {client_name}!")
        return services.create_template(actor=actor, **fields)

    return _make


@pytest.fixture
def rita_template(make_template, rita):
    return make_template(rita, name="Rita's launch", text="New in store for {client_name}", hashtags=["spring"])


@pytest.fixture
def rex_template(make_template, rex):
    return make_template(rex, name="Rex's secret", text="Bread for {client_name}")


@pytest.fixture
def shared_template(make_template, sam):
    return make_template(sam, name="Shared weekly", text="This week at {client_name}: {link}")
