"""Events become one email per person per burst, grouped by kind, with links to the posts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_q.models import Schedule

from notifications import tasks
from notifications.models import PendingNotification
from posts import services, signals
from posts.models import Post, PostChannel
from socials.account_state import mark_reconnect_needed
from socials.models import Account
from tests.conftest import make_account


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://socialhub.example.com"
    settings.NOTIFICATIONS_BATCH_SECONDS = 60


def flush_schedules(user) -> list[Schedule]:
    return list(Schedule.objects.filter(func="notifications.tasks.flush", args=f"({user.pk},)"))


def test_a_burst_of_50_approvals_is_one_email_to_the_reseller(
    make_post, alice, rita, mailoutbox, django_capture_on_commit_callbacks
):
    posts = [make_post(content=f"Spring offer number {i}") for i in range(50)]
    with django_capture_on_commit_callbacks(execute=True):
        for post in posts:
            services.review_post(actor=alice, post=post, action=1, feedback="Lovely")
    assert len(flush_schedules(rita)) == 1  # one flush, a minute after the first approval
    assert mailoutbox == []  # nothing is sent before the flush runs

    tasks.flush(rita.pk)

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["rita@example.com"]
    assert email.subject == "SocialHub: 50 posts were approved"
    for post in posts:
        assert f"https://socialhub.example.com/posts/{post.pk}/" in email.body
    assert email.body.count("Feedback from alice: Lovely") == 50
    html = email.alternatives[0][0]
    assert f'href="https://socialhub.example.com/posts/{posts[0].pk}/"' in html
    assert "https://socialhub.example.com/notifications/settings/" in email.body


def test_flushing_twice_sends_once_and_later_events_get_a_new_email(
    make_post, alice, rita, mailoutbox, django_capture_on_commit_callbacks
):
    first, second = make_post(content="First"), make_post(content="Second")
    with django_capture_on_commit_callbacks(execute=True):
        services.review_post(actor=alice, post=first, action=1)
    tasks.flush(rita.pk)
    tasks.flush(rita.pk)
    assert len(mailoutbox) == 1

    Schedule.objects.all().delete()  # the scheduler removes a ONCE schedule when it runs it
    with django_capture_on_commit_callbacks(execute=True):
        services.review_post(actor=alice, post=second, action=2, feedback="Too long")
    assert len(flush_schedules(rita)) == 1
    tasks.flush(rita.pk)
    assert len(mailoutbox) == 2
    assert mailoutbox[1].subject == "SocialHub: 1 post was rejected"
    assert "Feedback from alice: Too long" in mailoutbox[1].body
    assert "First" not in mailoutbox[1].body
    assert not PendingNotification.objects.exists()


def test_a_burst_looks_for_the_flush_schedule_once_and_still_makes_one_email(
    make_post, alice, rita, mailoutbox, django_capture_on_commit_callbacks
):
    posts = [make_post(content=f"Offer {i}") for i in range(5)]

    def schedule_statements(events) -> list[str]:
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            for post in events:
                services.review_post(actor=alice, post=post, action=1)
        return [q["sql"].split()[0] for q in queries if Schedule._meta.db_table in q["sql"]]

    assert "INSERT" in schedule_statements(posts[:1])  # the first event schedules the flush
    assert schedule_statements(posts[1:]) == []  # the next ones know it is coming

    tasks.flush(rita.pk)
    (email,) = mailoutbox
    assert email.subject == "SocialHub: 5 posts were approved"


def test_mixed_events_come_in_one_email_grouped_by_kind(
    make_post, alice, rita, mailoutbox, django_capture_on_commit_callbacks
):
    approved, rejected = make_post(content="Yes please"), make_post(content="Not this one")
    with django_capture_on_commit_callbacks(execute=True):
        services.review_post(actor=alice, post=approved, action=1)
        services.review_post(actor=alice, post=rejected, action=2, feedback="Wrong product")
    tasks.flush(rita.pk)

    (email,) = mailoutbox
    assert email.subject == "SocialHub: 2 updates"
    body = email.body
    assert body.index("== 1 post was approved ==") < body.index("Yes please")
    assert body.index("== 1 post was rejected ==") < body.index("Not this one")
    assert "Feedback from alice: Wrong product" in body


def test_the_client_is_told_when_posts_wait_for_review(
    make_post, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(content="Please review me")
    tasks.flush(alice.pk)
    (email,) = mailoutbox
    assert email.to == ["alice@example.com"]
    assert email.subject == "SocialHub: 1 post is waiting for your review"
    assert f"https://socialhub.example.com/posts/{post.pk}/" in email.body


def test_published_posts_link_to_the_tweet(make_post, alice, rita, mailoutbox):
    post = make_post(content="Live now")
    post.channels.update(
        state=PostChannel.State.PUBLISHED, remote_id="1799", remote_url="https://x.com/alice_x/status/1799"
    )
    signals.post_published.send(sender=Post, post=post)  # as the publishing pipeline does after commit
    tasks.flush(rita.pk)
    tasks.flush(alice.pk)
    (email,) = mailoutbox  # the client is not emailed about publications
    assert email.to == ["rita@example.com"]
    assert "On X (@alice_x): https://x.com/alice_x/status/1799" in email.body


def test_failures_tell_the_reseller_and_the_client_the_reason_and_what_to_do(
    make_post, alice, rita, mailoutbox
):
    post = make_post(content="Doomed")
    post.channels.update(
        state=PostChannel.State.FAILED, last_error="Your X account needs to be reconnected."
    )
    signals.post_failed.send(sender=Post, post=post)
    tasks.flush(rita.pk)
    tasks.flush(alice.pk)
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.com", "rita@example.com"]
    for email in mailoutbox:
        assert email.subject == "SocialHub: 1 post failed to publish"
        assert "@alice_x: Your X account needs to be reconnected." in email.body
        assert "What to do:" in email.body


def test_an_account_needing_reconnection_tells_the_client_and_their_resellers_only(
    alice, rita, rex, bob_task, mailoutbox, task, django_capture_on_commit_callbacks
):
    from posts.models import TaskAssign

    TaskAssign.objects.create(user=alice, reseller=rex, title="Second reseller for alice")
    account = make_account(alice, "alice_brand")
    with django_capture_on_commit_callbacks(execute=True):
        mark_reconnect_needed(account, "X refused the token.")
    assert Account.objects.get(pk=account.pk).state == Account.State.RECONNECT_NEEDED
    for person in (alice, rita, rex):
        tasks.flush(person.pk)
    tasks.flush(bob_task.user.pk)
    assert sorted(m.to[0] for m in mailoutbox) == [
        "alice@example.com", "rex@example.com", "rita@example.com"
    ]
    assert "@alice_brand (alice): X refused the token." in mailoutbox[0].body


def test_a_failing_mail_server_keeps_the_items_for_the_next_flush(
    make_post, alice, rita, settings, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.review_post(actor=alice, post=make_post(), action=1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    tasks.flush(rita.pk)
    assert PendingNotification.objects.filter(recipient=rita, claim__isnull=True).count() == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tasks.flush(rita.pk)
    assert len(mailoutbox) == 1
    assert not PendingNotification.objects.filter(recipient=rita).exists()

