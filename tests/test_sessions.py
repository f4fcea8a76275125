"""Sessions are Django's database sessions, read with one plain statement (socialhub/sessions.py)."""

import datetime as dt

from django.contrib.sessions.models import Session
from django.utils import timezone


def test_a_logged_in_person_stays_logged_in_across_requests(client, rita):
    client.force_login(rita)
    assert client.get("/posts/").status_code == 200
    assert client.get("/posts/").wsgi_request.user == rita


def test_an_expired_session_logs_the_person_out(client, rita):
    client.force_login(rita)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/posts/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_session_key_is_nobody(client, rita):
    client.force_login(rita)
    Session.objects.all().delete()
    assert client.get("/posts/").wsgi_request.user.is_anonymous
