"""Each person can switch each kind of notification off, on the settings page."""

from notifications import tasks, webhooks
from notifications.models import PendingNotification, Preference, WebhookDelivery, WebhookEndpoint
from posts import services
from tests.notifications.helpers import run_queued


def test_switching_approvals_off_stops_them_but_not_rejections(
    client, make_post, alice, rita, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(rita)
    page = client.get("/notifications/settings/").content.decode()
    assert 'name="post_approved"' in page and "checked" in page
    assert 'name="post_submitted"' not in page  # resellers do not review posts

    kept = ["post_rejected", "post_commented", "post_published", "post_failed", "account_reconnect", "post_held",
            "access_ending"]
    response = client.post("/notifications/settings/", {kind: "on" for kind in kept})
    assert response.status_code == 302
    assert Preference.objects.disabled_kinds(rita) == {"post_approved"}

    approved, rejected = make_post(content="Fine"), make_post(content="Not fine")
    with django_capture_on_commit_callbacks(execute=True):
        services.review_post(actor=alice, post=approved, action=1)
        services.review_post(actor=alice, post=rejected, action=2, feedback="No")
    tasks.flush(rita.pk)
    (email,) = mailoutbox
    assert email.subject == "SocialHub: 1 post was rejected"
    assert "Fine" not in email.body


def test_a_kind_switched_off_while_waiting_is_not_sent(
    make_post, alice, rita, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.review_post(actor=alice, post=make_post(), action=1)
    from notifications.services import set_preferences

    set_preferences(user=rita, enabled=[])
    tasks.flush(rita.pk)
    assert mailoutbox == []
    assert not PendingNotification.objects.filter(recipient=rita).exists()


def test_clients_choose_among_their_own_kinds(client, alice):
    client.force_login(alice)
    page = client.get("/notifications/settings/").content.decode()
    assert "Posts waiting for my review" in page
    assert "Posts approved" not in page
    assert "Webhook" not in page  # webhooks are for resellers


def test_a_reseller_sets_a_webhook_and_sends_a_test_event(
    client, rita, receiver, django_capture_on_commit_callbacks
):
    client.force_login(rita)
    response = client.post(
        "/notifications/settings/webhook/",
        {"url": receiver.url, "secret": "short"},
    )
    assert response.status_code == 400 and "at least 16 characters" in response.content.decode()

    client.post(
        "/notifications/settings/webhook/",
        {"url": receiver.url, "secret": "a-secret-long-enough", "is_active": "on"},
    )
    endpoint = WebhookEndpoint.objects.get(reseller=rita)
    assert (endpoint.url, endpoint.secret, endpoint.is_active) == (receiver.url, "a-secret-long-enough", True)

    client.post("/notifications/settings/webhook/", {"url": receiver.url, "secret": "", "is_active": "on"})
    endpoint.refresh_from_db()
    assert endpoint.secret == "a-secret-long-enough"  # blank keeps the stored secret

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/notifications/settings/webhook/test/", follow=True)
    assert "Test event queued" in response.content.decode()
    run_queued("notifications.tasks.deliver_webhook")
    assert receiver.json()["event"] == "ping"
    request = receiver.requests[0]
    headers = request["headers"]
    assert webhooks.verify(
        request["body"], "a-secret-long-enough", headers["X-SocialHub-Signature"], headers["X-SocialHub-Timestamp"]
    )
    page = client.get("/notifications/settings/").content.decode()
    assert "ping" in page and "Delivered" in page
    assert WebhookDelivery.objects.get().status == "delivered"


def test_clients_cannot_set_a_webhook(client, alice):
    client.force_login(alice)
    response = client.post(
        "/notifications/settings/webhook/", {"url": "https://example.com/h", "secret": "x" * 20}
    )
    assert response.status_code == 403
    assert not WebhookEndpoint.objects.exists()


def test_the_settings_page_needs_a_login(client, db):
    response = client.get("/notifications/settings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
