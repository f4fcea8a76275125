"""Idempotency-Key: a retried create gets the first answer back, never a second object."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from idempotency.models import IdempotencyKey
from posts.models import Post
from tests.conftest import PNG_BYTES, upload


def create(client, alice, task, account, key, content="Hello", **extra):
    return client.post(
        f"/post/for-user/{alice.pk}/{task.pk}",
        {"content": content, "post_channels": [{"channel_id": str(account.pk)}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
        **extra,
    )


def test_a_retry_with_the_same_key_gets_the_same_post(api, rita, alice, task, alice_account):
    client = api(rita)
    first = create(client, alice, task, alice_account, "key-1")
    again = create(client, alice, task, alice_account, "key-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Post.objects.count() == 1


def test_a_multipart_retry_with_the_same_file_is_the_same_request(api, rita, alice, task, alice_account):
    client = api(rita)

    def send():
        return client.post(
            f"/post/for-user/{alice.pk}/{task.pk}",
            {"content": "Pic", "post_channels": str(alice_account.pk), "media": [upload("p.png", PNG_BYTES)]},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="files",
        )

    assert send().json() == send().json()
    assert Post.objects.count() == 1


def test_the_same_key_with_another_body_is_a_conflict(api, rita, alice, task, alice_account):
    client = api(rita)
    create(client, alice, task, alice_account, "key-2")
    response = create(client, alice, task, alice_account, "key-2", content="Something else")
    assert response.status_code == 409
    assert response.json()["success"] is False
    assert Post.objects.count() == 1


def test_keys_are_per_user(api, rita, sam, alice, task, alice_account):
    create(api(rita), alice, task, alice_account, "shared")
    response = create(api(sam), alice, task, alice_account, "shared")
    assert response.status_code == 201
    assert Post.objects.count() == 2


def test_different_keys_make_different_posts(api, rita, alice, task, alice_account):
    client = api(rita)
    create(client, alice, task, alice_account, "a")
    create(client, alice, task, alice_account, "b")
    assert Post.objects.count() == 2


def test_a_failed_request_does_not_burn_the_key(api, rita, alice, task, alice_account):
    client = api(rita)
    bad = client.post(
        f"/post/for-user/{alice.pk}/{task.pk}", {"content": "x" * 300, "post_channels": [str(alice_account.pk)]},
        format="json", HTTP_IDEMPOTENCY_KEY="fix-me",
    )
    assert bad.status_code == 400
    good = create(client, alice, task, alice_account, "fix-me")
    assert good.status_code == 201


def test_keys_expire_after_24_hours(api, rita, alice, task, alice_account):
    client = api(rita)
    create(client, alice, task, alice_account, "old")
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert create(client, alice, task, alice_account, "old").status_code == 201
    assert Post.objects.count() == 2


def test_the_purge_command_forgets_expired_keys(api, rita, alice, task, alice_account):
    create(api(rita), alice, task, alice_account, "k")
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    call_command("purge_idempotency_keys")
    assert not IdempotencyKey.objects.exists()


def test_an_overlong_key_is_400(api, rita, alice, task, alice_account):
    response = create(api(rita), alice, task, alice_account, "k" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["details"]


def test_retry_and_user_and_task_creation_honour_the_key_too(api, sam, alice, rita):
    client = api(sam)
    body = {"username": "carol", "email": "carol@example.com", "role": "client"}
    first = client.post("/api/users", body, format="json", HTTP_IDEMPOTENCY_KEY="u")
    assert client.post("/api/users", body, format="json", HTTP_IDEMPOTENCY_KEY="u").json() == first.json()
    task = {"user": str(alice.pk), "reseller": str(rita.pk), "title": "Summer"}
    one = client.post("/api/tasks", task, format="json", HTTP_IDEMPOTENCY_KEY="t")
    assert client.post("/api/tasks", task, format="json", HTTP_IDEMPOTENCY_KEY="t").json() == one.json()
    assert alice.tasks.count() == 1
