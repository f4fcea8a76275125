import pytest
from django.core.exceptions import ValidationError

from posts import services
from posts.models import Post, ReviewEvent
from socialhub.errors import InvalidState, NotAllowed


def queued_tasks() -> list[tuple[str, tuple]]:
    from django_q.models import OrmQ

    return [(q.func(), q.args()) for q in OrmQ.objects.all()]


def test_client_approves_and_publication_is_queued_after_commit(
    make_post, alice, django_capture_on_commit_callbacks
):
    post = make_post()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.review_post(actor=alice, post=post, action=1, feedback="Great post!")
        assert queued_tasks() == []  # nothing is enqueued before the approval is committed
    for callback in callbacks:
        callback()
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED == 1
    assert post.feedback == "Great post!"
    assert post.reviewed_by == alice
    assert queued_tasks() == [("posts.tasks.publish", (post.pk,))]


def test_scheduled_post_is_not_enqueued_at_approval(make_post, alice, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    post = make_post(schedule_at=timezone.now() + dt.timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        services.review_post(actor=alice, post=post, action=1)
    assert queued_tasks() == []  # the due-post dispatcher publishes it at its time


def test_reject_needs_feedback_and_records_history(make_post, alice):
    post = make_post()
    with pytest.raises(ValidationError) as exc:
        services.review_post(actor=alice, post=post, action=2, feedback="  ")
    assert "feedback" in exc.value.message_dict

    services.review_post(actor=alice, post=post, action=2, feedback="Too salesy")
    post.refresh_from_db()
    assert post.status == Post.Status.REJECTED == 5
    event = post.reviews.get()
    assert (event.actor, event.action, event.feedback) == (alice, ReviewEvent.Action.REJECT, "Too salesy")


def test_unknown_action_is_refused(make_post, alice):
    with pytest.raises(ValidationError) as exc:
        services.review_post(actor=alice, post=make_post(), action=3)
    assert "action" in exc.value.message_dict


def test_only_pending_posts_can_be_reviewed(make_post, alice, sam):
    post = make_post()
    services.review_post(actor=alice, post=post, action=1)
    with pytest.raises(InvalidState):
        services.review_post(actor=sam, post=post, action=2, feedback="changed my mind")


def test_history_keeps_every_review(make_post, alice, rita):
    post = make_post()
    services.review_post(actor=alice, post=post, action=2, feedback="Add a link")
    services.edit_post(actor=rita, post=post, content="Spring is here: example.com")
    services.review_post(actor=alice, post=post, action=1, feedback="Thanks")
    assert [(e.action, e.feedback) for e in post.reviews.all()] == [(2, "Add a link"), (1, "Thanks")]


def test_staff_cannot_approve_a_post_they_wrote(task, sam, alice_account):
    post = services.create_post(author=sam, task=task, content="From staff", account_ids=[alice_account.pk])
    with pytest.raises(NotAllowed):
        services.review_post(actor=sam, post=post, action=1)


def test_review_signals_fire_only_after_commit(make_post, alice, django_capture_on_commit_callbacks):
    from posts import signals

    seen = []

    def receiver(sender, **kwargs):
        seen.append((kwargs["post"].pk, kwargs["review"].action))

    signals.post_reviewed.connect(receiver)
    try:
        post = make_post()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.review_post(actor=alice, post=post, action=2, feedback="no")
        assert seen == []
        for callback in callbacks:
            callback()
        assert seen == [(post.pk, ReviewEvent.Action.REJECT)]
    finally:
        signals.post_reviewed.disconnect(receiver)
