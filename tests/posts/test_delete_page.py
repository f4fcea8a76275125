"""A post's writer (or staff) deletes it from its page while nothing of it went out to X."""

from django.utils import timezone

from posts.models import Post
from tests.conftest import PNG_BYTES, upload


def test_the_reseller_deletes_an_unsent_post_and_its_media_from_its_page(
    client, rita, make_post, django_capture_on_commit_callbacks
):
    post = make_post(media_files=[upload("a.png", PNG_BYTES)])
    storage, name = post.media.get().file.storage, post.media.get().file.name
    client.force_login(rita)
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert f'action="/posts/{post.pk}/delete/"' in page

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/posts/{post.pk}/delete/", follow=True)

    assert "Post deleted." in answer.content.decode()
    assert not Post.objects.filter(pk=post.pk).exists() and not storage.exists(name)


def test_a_published_post_has_no_delete_door_and_cannot_be_deleted(client, rita, make_post):
    post = make_post()
    post.channels.update(state="published", remote_id="1900000000000000001")
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED, published_at=timezone.now())
    client.force_login(rita)
    assert f'action="/posts/{post.pk}/delete/"' not in client.get(f"/posts/{post.pk}/").content.decode()

    answer = client.post(f"/posts/{post.pk}/delete/", follow=True)

    assert "already sent to X cannot be deleted" in answer.content.decode()
    assert Post.objects.filter(pk=post.pk).exists()


def test_the_client_cannot_delete_what_their_reseller_wrote(client, alice, make_post):
    post = make_post()
    client.force_login(alice)
    assert f'action="/posts/{post.pk}/delete/"' not in client.get(f"/posts/{post.pk}/").content.decode()
    assert client.post(f"/posts/{post.pk}/delete/").status_code == 404
    assert Post.objects.filter(pk=post.pk).exists()


def test_deleting_needs_a_post_request(client, rita, make_post):
    post = make_post()
    client.force_login(rita)
    assert client.get(f"/posts/{post.pk}/delete/").status_code == 405
