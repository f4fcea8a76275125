"""Each task's approval policy: the client approves (default), automatic, or staff then the client."""

import pytest
from django.core import mail

from notifications import services as notification_services
from posts import services
from posts.models import Post, ReviewEvent, TaskAssign
from socialhub.errors import InvalidState
from tests.api.conftest import api  # noqa: F401  (the fixture)


def policy(task, value):
    task.approval_policy = value
    task.save()


def test_by_default_the_client_approves(make_post, alice, task):
    post = make_post()
    assert post.status == Post.Status.PENDING and post.review_step == Post.ReviewStep.CLIENT
    services.review_post(actor=alice, post=post, action=1)
    assert list(post.reviews.values_list("step", flat=True)) == ["client"]


def test_auto_approves_when_submitted_and_says_so_in_the_history(make_post, task, rita, django_capture_on_commit_callbacks):
    policy(task, TaskAssign.ApprovalPolicy.AUTO)
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post()
    post.refresh_from_db()
    assert post.status in (Post.Status.APPROVED, Post.Status.PROCESSING, Post.Status.PUBLISHED, Post.Status.FAILED)
    (review,) = post.reviews.all()
    assert review.step == ReviewEvent.Step.AUTO and review.actor == rita
    assert not [m for m in mail.outbox if "waiting for your review" in m.subject]


def test_two_steps_staff_first_then_the_client(make_post, task, alice, sam, django_capture_on_commit_callbacks):
    policy(task, TaskAssign.ApprovalPolicy.TWO_STEPS)
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post()
    assert notification_services.flush(user_id=alice.pk) == 0  # not yet the client's turn
    assert post not in Post.objects.awaiting_review_by(alice)
    with pytest.raises(InvalidState, match="Staff review this post first"):
        services.review_post(actor=alice, post=post, action=1)

    with django_capture_on_commit_callbacks(execute=True):
        services.review_post(actor=sam, post=post, action=1)
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING and post.review_step == Post.ReviewStep.CLIENT
    assert notification_services.flush(user_id=alice.pk) == 1  # now the client is asked
    assert post in Post.objects.awaiting_review_by(alice)

    services.review_post(actor=alice, post=post, action=1)
    post.refresh_from_db()
    assert post.status != Post.Status.PENDING
    assert [(r.step, r.actor.username) for r in post.reviews.all()] == [("staff", "sam"), ("client", "alice")]


def test_two_steps_an_edit_after_staffs_approval_goes_back_to_staff(make_post, task, rita, sam):
    policy(task, TaskAssign.ApprovalPolicy.TWO_STEPS)
    post = make_post()
    services.review_post(actor=sam, post=post, action=1)
    services.edit_post(actor=rita, post=post, content="Changed")
    post.refresh_from_db()
    assert post.review_step == Post.ReviewStep.STAFF


def test_the_policy_is_set_by_api_and_shown_on_posts(api, rita, task, make_post):
    answer = api(rita).patch(f"/api/tasks/{task.pk}", {"approval_policy": "two_steps"}, format="json")
    assert answer.status_code == 200 and answer.json()["approval_policy"] == "two_steps"
    post = make_post()
    assert api(rita).get(f"/api/posts/{post.pk}").json()["review_step"] == "staff"
    bad = api(rita).patch(f"/api/tasks/{task.pk}", {"approval_policy": "never"}, format="json")
    assert bad.status_code == 400 and "approval_policy" in bad.json()["details"]


def test_the_inbox_shows_the_client_only_posts_at_their_step(client, make_post, task, alice, sam):
    policy(task, TaskAssign.ApprovalPolicy.TWO_STEPS)
    make_post(content="Needs staff first")
    client.force_login(alice)
    assert "Needs staff first" not in client.get("/posts/inbox/").content.decode()
    client.force_login(sam)
    assert "Needs staff first" in client.get("/posts/inbox/").content.decode()
