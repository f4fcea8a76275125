"""Guessing passwords: every way in shares one limit, per account and per address, in the shared cache."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]

TOKEN = "/api/auth/token"


def api_login(username, password, ip="203.0.113.7"):
    return APIClient().post(TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip)


def test_thirty_wrong_passwords_then_the_right_one_is_refused_on_the_api(rita):
    answers = [api_login("rita", f"guess-{n}").status_code for n in range(30)]
    assert answers[:5] == [401] * 5
    assert set(answers[5:]) == {429}
    answer = api_login("rita", "pw-rita")
    assert answer.status_code == 429
    assert answer.json() == {
        "success": False,
        "message": "Too many failed login attempts. Try again later.",
        "details": {},
    }


def test_the_account_is_counted_whatever_the_address_or_spelling(rita):
    for n, login in enumerate(["rita", "RITA", "rita@example.com", "Rita", "rita"]):
        assert api_login(login, "wrong", ip=f"198.51.100.{n}").status_code == 401
    assert api_login("rita", "pw-rita", ip="198.51.100.99").status_code == 429


def test_one_address_is_counted_across_accounts(rita, rex, alice, bob, sam):
    for n in range(10):
        api_login(f"nobody-{n}", "wrong", ip="192.0.2.50")
    assert api_login("alice", "pw-alice", ip="192.0.2.50").status_code == 429
    assert api_login("alice", "pw-alice", ip="192.0.2.51").status_code == 200


def test_a_right_password_does_not_use_up_the_limit(rita):
    for _ in range(8):
        assert api_login("rita", "pw-rita").status_code == 200


def test_the_admin_login_shares_the_limit(client, sam):
    for n in range(5):
        api_login("sam", f"guess-{n}", ip="127.0.0.1")
    page = client.post("/admin/login/", {"username": "sam", "password": "pw-sam"})
    assert page.status_code == 200  # the form again, not a redirect into the admin
    assert "Too many failed login attempts" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_login_page_shares_the_limit(client, alice):
    for n in range(5):
        client.post("/admin/login/", {"username": "alice", "password": f"guess-{n}"})
    page = client.post("/accounts/login/", {"login": "alice", "password": "pw-alice"})
    assert "Too many failed login attempts" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_are_counted_in_the_database_cache_without_redis(rita):
    assert isinstance(caches["default"], DatabaseCache)  # tests run without REDIS_URL
    api_login("rita", "wrong")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM socialhub_cache WHERE cache_key LIKE %s", ["%login_failed%"])
        assert cursor.fetchone()[0] >= 1


@pytest.mark.parametrize("redis_url, backend", [("", "DatabaseCache"), ("redis://127.0.0.1:6379/0", "RedisCache")])
def test_the_shared_cache_is_redis_when_configured(redis_url, backend):
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "tests.settings", "REDIS_URL": redis_url}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"], env=env, capture_output=True, text=True,
        cwd=ROOT, timeout=60,
    )
    assert out.stdout.strip().endswith(backend), out.stderr
