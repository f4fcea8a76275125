"""Staff and the client can retry a failed post; nobody else, and only failed posts."""

import datetime as dt

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.utils import timezone

from posts import publishing, services
from posts.models import Post, PostChannel
from socialhub.errors import InvalidState, NotAllowed


def failed_post(make_post, alice):
    post = make_post()
    services.review_post(actor=alice, post=post, action=1)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.FAILED)
    post.channels.update(state="failed", last_error="Reconnect your X account", error_kind="auth", attempts=5)
    return post


def queued_tasks():
    from django_q.models import OrmQ

    return [(q.func(), q.args()) for q in OrmQ.objects.all()]


@pytest.mark.parametrize("who", ["alice", "sam"])
def test_the_client_or_staff_retry_a_failed_post_and_it_is_queued_again(
    who, request, make_post, alice, django_capture_on_commit_callbacks
):
    post = failed_post(make_post, alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_post(actor=request.getfixturevalue(who), post=post)
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED
    channel = post.channels.get()
    assert (channel.state, channel.attempts, channel.last_error) == ("queued", 0, "")
    assert queued_tasks() == [("posts.tasks.publish", (post.pk,))]


@pytest.mark.parametrize("who", ["rita", "bob", "mallory"])
def test_others_cannot_retry(who, request, make_post, alice):
    post = failed_post(make_post, alice)
    with pytest.raises(NotAllowed):
        services.retry_post(actor=request.getfixturevalue(who), post=post)


def test_only_failed_posts_can_be_retried(make_post, alice):
    post = make_post()
    with pytest.raises(InvalidState):
        services.retry_post(actor=alice, post=post)


def test_a_channel_given_up_with_an_unknown_outcome_is_reconciled_first_on_retry(make_post, alice):
    post = failed_post(make_post, alice)
    first_try = timezone.now() - dt.timedelta(hours=5)
    post.channels.update(error_kind=publishing.UNRESOLVED, first_attempt_at=first_try)
    services.retry_post(actor=alice, post=post)
    channel = post.channels.get()
    assert channel.state == PostChannel.State.UNKNOWN
    assert channel.first_attempt_at == first_try  # X is searched back to the first attempt


def test_staff_retry_failed_posts_from_the_admin(make_post, alice, sam):
    from django.contrib.messages.storage.fallback import FallbackStorage

    post = failed_post(make_post, alice)
    request = RequestFactory().post("/admin/posts/post/")
    request.user = sam
    request.session = {}
    request._messages = FallbackStorage(request)
    model_admin = site._registry[Post]
    model_admin.get_actions(request)["retry_posts"][0](model_admin, request, Post.objects.filter(pk=post.pk))
    assert Post.objects.get(pk=post.pk).status == Post.Status.APPROVED


def test_the_client_retries_a_failed_post_from_its_page(client, make_post, alice, django_capture_on_commit_callbacks):
    post = failed_post(make_post, alice)
    client.force_login(alice)
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert f'action="/posts/{post.pk}/retry/"' in page and "Retry publishing" in page

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/posts/{post.pk}/retry/", follow=True)

    assert "Post queued for publishing again." in answer.content.decode()
    assert Post.objects.get(pk=post.pk).status == Post.Status.APPROVED
    assert queued_tasks() == [("posts.tasks.publish", (post.pk,))]


def test_the_retry_door_is_only_on_failed_posts_for_those_who_may_retry(client, make_post, alice, rita):
    post = failed_post(make_post, alice)
    client.force_login(rita)  # the writer, not the client
    assert "Retry publishing" not in client.get(f"/posts/{post.pk}/").content.decode()
    assert client.post(f"/posts/{post.pk}/retry/").status_code == 404
    client.force_login(alice)
    pending = make_post()
    assert "Retry publishing" not in client.get(f"/posts/{pending.pk}/").content.decode()
    answer = client.post(f"/posts/{pending.pk}/retry/", follow=True)
    assert "Only failed posts can be retried" in answer.content.decode()
