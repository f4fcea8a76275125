"""Fixtures for notification tests: a local webhook receiver and rita's endpoint pointing at it."""

import pytest

from notifications.models import WebhookEndpoint
from tests.notifications.helpers import SECRET, Receiver


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def rita_endpoint(rita, receiver):
    return WebhookEndpoint.objects.create(reseller=rita, url=receiver.url, secret=SECRET)
