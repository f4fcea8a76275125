"""Webhooks: signed JSON, retried with backoff, logged, and never in the way of publishing."""

import datetime as dt
import json
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_q.models import Schedule

from notifications import webhooks
from notifications.models import WebhookDelivery, WebhookEndpoint
from posts import services, signals
from posts.models import Post, PostChannel
from tests.notifications.helpers import SECRET, run_queued, run_scheduled

DELIVER = "notifications.tasks.deliver_webhook"


@pytest.fixture
def approved(make_post, alice, rita_endpoint, django_capture_on_commit_callbacks):
    """A post alice approved; its webhook delivery is queued, not yet sent."""
    post = make_post(content="Webhook me")
    with django_capture_on_commit_callbacks(execute=True):
        services.review_post(actor=alice, post=post, action=1, feedback="Go")
    return post


def test_the_body_is_signed_with_the_resellers_secret(approved, receiver):
    assert run_queued(DELIVER) == 1
    (request,) = receiver.requests
    headers, body = request["headers"], request["body"]
    signature, timestamp = headers["X-SocialHub-Signature"], headers["X-SocialHub-Timestamp"]
    assert signature == webhooks.sign(body, SECRET, timestamp)
    assert webhooks.verify(body, SECRET, signature, timestamp)
    assert not webhooks.verify(body, "some-other-secret-value", signature, timestamp)
    assert not webhooks.verify(body + b" ", SECRET, signature, timestamp)
    assert abs(int(timestamp) - time.time()) < 60
    document = json.loads(body)
    assert document["event"] == headers["X-SocialHub-Event"] == "post.approved"
    assert document["id"] == headers["X-SocialHub-Delivery"]
    assert document["data"]["post"]["id"] == approved.pk
    assert document["data"]["review"] == {"action": "approved", "feedback": "Go", "by": "alice", "staff": False}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.status_code, delivery.attempts) == ("delivered", 200, 1)


def test_a_receiver_failing_twice_gets_three_attempts_and_the_log_shows_them(
    approved, receiver, settings
):
    settings.NOTIFICATIONS_WEBHOOK_RETRY_SECONDS = 0  # retries due at once; the backoff has its own test
    receiver.plan = [500, 500, 200]
    run_queued(DELIVER)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.status_code, delivery.attempts) == ("pending", 500, 1)
    assert delivery.last_error == "HTTP 500: the receiver did not accept the delivery."
    assert run_scheduled(DELIVER) == 1
    assert run_scheduled(DELIVER) == 1
    assert run_scheduled(DELIVER) == 0  # delivered: nothing left to retry

    delivery.refresh_from_db()
    assert (delivery.status, delivery.status_code, delivery.attempts) == ("delivered", 200, 3)
    assert delivery.last_error == "" and delivery.next_attempt_at is None
    assert [a["status_code"] for a in delivery.history] == [500, 500, 200]
    assert len(receiver.requests) == 3
    # Every attempt carries the same event id, so the receiver can de-duplicate.
    assert len({r["headers"]["X-SocialHub-Delivery"] for r in receiver.requests}) == 1


def test_retries_back_off_exponentially_and_give_up_after_the_last_attempt(
    approved, receiver, settings
):
    settings.NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.plan = [503, 503, 503]
    run_queued(DELIVER)
    delivery = WebhookDelivery.objects.get()
    first_wait = delivery.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=25) < first_wait <= dt.timedelta(seconds=30)
    (retry,) = Schedule.objects.filter(func=DELIVER)
    assert retry.next_run == delivery.next_attempt_at
    webhooks.deliver(delivery_id=delivery.pk)  # run early (a duplicate task): not due, no request
    assert len(receiver.requests) == 1

    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())  # time passes
    Schedule.objects.all().delete()
    webhooks.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    second_wait = delivery.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=55) < second_wait <= dt.timedelta(seconds=60)

    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    Schedule.objects.all().delete()
    webhooks.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert not Schedule.objects.filter(func=DELIVER).exists()


def test_a_hanging_receiver_times_out_and_is_retried(approved, receiver, settings):
    settings.NOTIFICATIONS_WEBHOOK_TIMEOUT = 0.5
    settings.NOTIFICATIONS_WEBHOOK_RETRY_SECONDS = 0
    receiver.plan = ["hang", 200]
    started = time.monotonic()
    run_queued(DELIVER)
    assert time.monotonic() - started < 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("pending", 1, None)
    assert "timeout" in delivery.last_error

    run_scheduled(DELIVER)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


def test_publishing_does_not_wait_for_a_hanging_receiver(make_post, rita_endpoint, receiver, settings):
    receiver.plan = ["hang"]
    post = make_post()
    post.channels.update(state=PostChannel.State.PUBLISHED, remote_id="42", remote_url="https://x.com/a/status/42")
    started = time.monotonic()
    signals.post_published.send(sender=Post, post=post)  # what the publishing worker does after commit
    assert time.monotonic() - started < 1
    assert receiver.requests == []  # the request happens in its own task, not in the publisher
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "post.published"
    assert delivery.payload["channels"][0]["url"] == "https://x.com/a/status/42"


def test_only_the_posts_reseller_gets_the_webhook(make_post, rex, receiver, django_capture_on_commit_callbacks):
    WebhookEndpoint.objects.create(reseller=rex, url=receiver.url, secret=SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        make_post()  # alice's post, written by rita
    assert not WebhookDelivery.objects.exists()


def test_a_switched_off_endpoint_gets_nothing(make_post, rita_endpoint, django_capture_on_commit_callbacks):
    rita_endpoint.is_active = False
    rita_endpoint.save()
    with django_capture_on_commit_callbacks(execute=True):
        make_post()
    assert not WebhookDelivery.objects.exists()


def test_the_webhook_url_must_be_http_or_https(rita):
    for url in ("ftp://example.com/hook", "javascript:alert(1)", "file:///etc/passwd"):
        with pytest.raises(ValidationError) as exc:
            webhooks.save_endpoint(reseller=rita, url=url, secret="a-long-enough-secret")
        assert "url" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        webhooks.save_endpoint(reseller=rita, url="https://example.com/hook")
    assert "secret" in exc.value.message_dict


def test_no_secret_appears_in_the_log_the_admin_or_the_settings_page(
    approved, receiver, client, sam, rita, settings
):
    settings.NOTIFICATIONS_WEBHOOK_RETRY_SECONDS = 0
    receiver.plan = [500, 200]
    run_queued(DELIVER)
    run_scheduled(DELIVER)
    delivery = WebhookDelivery.objects.get()
    stored = json.dumps(
        [delivery.payload, delivery.history, delivery.last_error, delivery.event], default=str
    )
    assert SECRET not in stored
    endpoint = WebhookEndpoint.objects.get()

    client.force_login(sam)
    pages = [
        "/admin/notifications/webhookendpoint/",
        f"/admin/notifications/webhookendpoint/{endpoint.pk}/change/",
        "/admin/notifications/webhookdelivery/",
        f"/admin/notifications/webhookdelivery/{delivery.pk}/change/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert SECRET not in response.content.decode(), page
    client.force_login(rita)
    page = client.get("/notifications/settings/").content.decode()
    assert "post.approved" in page and "Delivered" in page  # the log is there, the secret is not
    assert SECRET not in page


def test_the_secret_is_encrypted_at_rest(rita_endpoint):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM notifications_webhookendpoint WHERE id = %s", [rita_endpoint.pk])
        (raw,) = cursor.fetchone()
    assert raw.startswith("fernet:") and SECRET not in raw


def test_the_admin_keeps_the_secret_when_left_blank(client, sam, rita_endpoint):
    client.force_login(sam)
    response = client.post(
        f"/admin/notifications/webhookendpoint/{rita_endpoint.pk}/change/",
        {"reseller": rita_endpoint.reseller_id, "url": "https://hooks.example.com/new", "secret": "", "is_active": "on"},
    )
    assert response.status_code == 302
    rita_endpoint.refresh_from_db()
    assert (rita_endpoint.url, rita_endpoint.secret) == ("https://hooks.example.com/new", SECRET)


def test_the_delivery_log_is_read_only_in_the_admin(client, sam, approved):
    client.force_login(sam)
    delivery = WebhookDelivery.objects.get()
    client.post(f"/admin/notifications/webhookdelivery/{delivery.pk}/change/", {"attempts": 99})
    delivery.refresh_from_db()
    assert delivery.attempts == 0
    assert client.get("/admin/notifications/webhookdelivery/add/").status_code == 403


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook", "http://localhost/hook", "http://169.254.169.254/latest/meta-data/",
    "https://10.0.0.5/hook", "http://[::1]/hook", "http://192.168.1.20/hook",
    # IPv6 addresses that carry an IPv4 one: compatible, mapped, NAT64, 6to4, Teredo.
    "http://[::127.0.0.1]/", "http://[::ffff:127.0.0.1]/", "http://[64:ff9b::7f00:1]/",
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/", "http://[2002:7f00:1::]/", "http://[2002:a00:5::1]/",
    "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",
])
def test_in_production_a_webhook_cannot_point_into_the_servers_network(rita, settings, url):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as exc:
        webhooks.save_endpoint(reseller=rita, url=url, secret="a-long-enough-secret")
    assert exc.value.message_dict == {"url": [webhooks.PRIVATE_ADDRESS]}


def test_a_public_address_is_accepted_in_production(rita, settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = False
    endpoint = webhooks.save_endpoint(reseller=rita, url="https://93.184.216.34/hook", secret="a-long-enough-secret")
    assert endpoint.pk


def test_a_stored_endpoint_that_now_points_inside_is_not_called(approved, receiver, settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = False
    run_queued(DELIVER)
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_error == webhooks.PRIVATE_ADDRESS


def test_a_nat64_address_of_a_public_ipv4_is_accepted_in_production(rita, settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = False
    endpoint = webhooks.save_endpoint(reseller=rita, url="https://[64:ff9b::5db8:d822]/hook", secret="a-long-enough-secret")
    assert endpoint.pk


def test_a_captured_delivery_cannot_be_replayed_later(approved, receiver):
    run_queued(DELIVER)
    (request,) = receiver.requests
    headers, body = request["headers"], request["body"]
    signature, timestamp = headers["X-SocialHub-Signature"], headers["X-SocialHub-Timestamp"]
    later = int(timestamp) + webhooks.TOLERANCE_SECONDS + 1
    assert not webhooks.verify(body, SECRET, signature, timestamp, now=later)
    # Nor with a fresh timestamp: the signature covers the old one.
    assert not webhooks.verify(body, SECRET, signature, str(later), now=later)


def test_the_reseller_sees_the_status_never_the_receivers_answer(approved, receiver, client, rita):
    receiver.plan = [500]
    receiver.error_body = "Traceback: db password=hunter2 at internal-host"
    run_queued(DELIVER)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status_code == 500
    assert "hunter2" not in json.dumps([delivery.last_error, delivery.history])
    client.force_login(rita)
    page = client.get("/notifications/settings/").content.decode()
    assert "HTTP 500" in page and "hunter2" not in page
