"""REST API fixtures: a client per person, authenticated the way REST clients are (a JWT)."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken


def jwt_for(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(user)}")
    return client


@pytest.fixture
def api():
    """api(user) -> an APIClient sending that person's JWT; api() -> anonymous."""
    return client_for


@pytest.fixture
def people(rita, rex, alice, bob, sam, mallory, bob_task):
    return {"rita": rita, "rex": rex, "alice": alice, "bob": bob, "sam": sam, "mallory": mallory, "anonymous": None}
