import pytest
from django.test import Client

from tests.api.conftest import client_for


@pytest.fixture
def api():
    """api(user) -> an APIClient sending that person's JWT; api() -> anonymous."""
    return client_for


@pytest.fixture
def web():
    """web(user) -> a browser-like client logged in as that person; web() -> anonymous."""

    def _login(user=None):
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        return client

    return _login
