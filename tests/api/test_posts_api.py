"""The /api/posts endpoints: filters, edits, deletes and retries behave as the pages do."""

import datetime as dt
import os

from django.utils import timezone

from posts import services
from posts.models import Post, PostChannel
from tests.conftest import GIF_BYTES, PNG_BYTES, make_account, upload


def ids(response):
    assert response.status_code == 200, response.json()
    return [p["id"] for p in response.json()["results"]]


def test_filters_by_status_client_task_and_schedule(api, sam, make_post, alice, bob, bob_task, bob_account, rex):
    soon = timezone.now() + dt.timedelta(hours=1)
    later = timezone.now() + dt.timedelta(days=3)
    a = make_post(schedule_at=soon)
    b = make_post(schedule_at=later)
    services.review_post(actor=alice, post=b, action=1)
    c = services.create_post(author=rex, task=bob_task, content="Bread", account_ids=[bob_account.pk])
    client = api(sam)
    assert ids(client.get("/api/posts?status=1")) == [str(b.pk)]
    assert set(ids(client.get("/api/posts?status=0&status=1"))) == {str(a.pk), str(b.pk), str(c.pk)}
    assert ids(client.get(f"/api/posts?client={bob.pk}")) == [str(c.pk)]
    assert ids(client.get(f"/api/posts?task={bob_task.pk}")) == [str(c.pk)]
    window = {"schedule_after": (soon - dt.timedelta(minutes=1)).isoformat(),
              "schedule_before": (soon + dt.timedelta(minutes=1)).isoformat()}
    assert ids(client.get("/api/posts", window)) == [str(a.pk)]
    assert ids(client.get("/api/posts?client=not-an-id")) == []


def test_a_filter_time_without_offset_is_400(api, sam):
    response = api(sam).get("/api/posts?schedule_after=2030-01-01T00:00:00")
    assert response.status_code == 400
    assert "schedule_after" in response.json()["details"]


def test_retrieve_shows_channels_with_remote_ids_urls_errors_and_metrics(api, alice, make_post):
    post = make_post()
    PostChannel.objects.filter(post=post).update(
        state="published", remote_id="1850", remote_url="https://x.com/alice_x/status/1850",
        metrics={"like_count": 3}, last_error="",
    )
    channel = api(alice).get(f"/api/posts/{post.pk}").json()["channels"][0]
    assert channel["remote_id"] == "1850"
    assert channel["remote_url"] == "https://x.com/alice_x/status/1850"
    assert channel["metrics"] == {"like_count": 3}
    assert channel["state"] == "published" and channel["error"] == ""


def test_editing_a_rejected_post_sends_it_back_to_review(api, rita, alice, make_post):
    post = make_post()
    services.review_post(actor=alice, post=post, action=2, feedback="Shorter please")
    response = api(rita).patch(f"/api/posts/{post.pk}", {"content": "Short", "hashtags": "a, b"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["content"], response.json()["hashtags"]) == (0, "Short", ["a", "b"])


def test_editing_with_multipart_replaces_media(api, rita, make_post):
    post = make_post(media_files=[upload("p.png", PNG_BYTES)])
    old = post.media.get()
    response = api(rita).patch(
        f"/api/posts/{post.pk}",
        {"media": [upload("a.gif", GIF_BYTES)], "alt_texts": ["Dancing"], "remove_media": [str(old.pk)]},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert [(m["kind"], m["alt_text"]) for m in response.json()["media"]] == [("gif", "Dancing")]


def test_editing_channels_to_another_clients_account_is_refused(api, rita, make_post, bob_account):
    post = make_post()
    response = api(rita).patch(f"/api/posts/{post.pk}", {"post_channels": [{"channel_id": str(bob_account.pk)}]}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "Twitter account not connected for this user"


def test_an_approved_post_cannot_be_edited(api, rita, alice, make_post):
    post = make_post()
    services.review_post(actor=alice, post=post, action=1)
    assert api(rita).patch(f"/api/posts/{post.pk}", {"content": "Late"}, format="json").status_code == 409


def test_deleting_removes_the_post_and_its_files(api, rita, make_post, django_capture_on_commit_callbacks):
    post = make_post(media_files=[upload("p.png", PNG_BYTES)])
    path = post.media.get().file.path
    with django_capture_on_commit_callbacks(execute=True):
        assert api(rita).delete(f"/api/posts/{post.pk}").status_code == 204
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not os.path.exists(path)


def test_a_published_post_cannot_be_deleted(api, sam, make_post):
    post = make_post()
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED, published_at=timezone.now())
    response = api(sam).delete(f"/api/posts/{post.pk}")
    assert response.status_code == 409
    assert Post.objects.filter(pk=post.pk).exists()


def test_retrying_a_failed_post_queues_its_failed_channels_again(api, alice, make_post, django_capture_on_commit_callbacks):
    post = make_post(account_ids=[make_account(alice, "two").pk, post_account(alice)])
    Post.objects.filter(pk=post.pk).update(status=Post.Status.FAILED)
    first, second = post.channels.all()
    PostChannel.objects.filter(pk=first.pk).update(state="failed", last_error="Boom", attempts=3)
    PostChannel.objects.filter(pk=second.pk).update(state="published", remote_id="77")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alice).post(f"/api/posts/{post.pk}/retry")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == 1
    states = {c["id"]: (c["state"], c["error"]) for c in response.json()["channels"]}
    assert states == {str(first.pk): ("queued", ""), str(second.pk): ("published", "")}
    from django_q.models import OrmQ

    assert [(q.func(), q.args()) for q in OrmQ.objects.all()] == [("posts.tasks.publish", (post.pk,))]


def post_account(alice):
    return alice.x_accounts.get(username="alice_x").pk


def test_only_failed_posts_can_be_retried(api, alice, make_post):
    post = make_post()
    response = api(alice).post(f"/api/posts/{post.pk}/retry")
    assert response.status_code == 409
    assert "failed" in response.json()["message"]


def test_ids_are_strings_everywhere(api, sam, make_post):
    post = make_post(media_files=[upload("p.png", PNG_BYTES)])
    body = api(sam).get(f"/api/posts/{post.pk}").json()
    for key in ("id", "task", "client", "reseller", "created_by"):
        assert isinstance(body[key], str)
    assert isinstance(body["channels"][0]["id"], str) and isinstance(body["channels"][0]["channel_id"], str)
    assert isinstance(body["media"][0]["id"], str)
