"""Editing a pending or rejected post from its page, and its review history."""

from django.utils import timezone

from posts import services
from posts.models import Post


def reject(post, alice, feedback="Say it warmer"):
    return services.review_post(actor=alice, post=post, action=2, feedback=feedback)


def test_a_rejected_post_edited_and_saved_goes_back_to_review(client, rita, alice, make_post, alice_account):
    post = reject(make_post(content="Buy now"), alice)
    client.force_login(rita)
    page = client.get(f"/posts/{post.pk}/edit/").content.decode()
    assert "Say it warmer" in page and ">Buy now</textarea>" in page
    response = client.post(
        f"/posts/{post.pk}/edit/",
        {"content": "Come and see our tulips", "hashtags": "spring", "accounts": [alice_account.pk], "when": "approval"},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING and post.content == "Come and see our tulips"
    page = client.get(response["Location"]).content.decode()
    assert "Post saved and sent for review again." in page
    assert "Rejected</span>\n        by alice" in page and "Say it warmer" in page


def test_an_edit_error_keeps_the_new_text_and_the_post_unchanged(client, rita, make_post, alice_account):
    post = make_post(content="Original")
    client.force_login(rita)
    page = client.post(
        f"/posts/{post.pk}/edit/",
        {"content": "x" * 300, "hashtags": "", "accounts": [alice_account.pk], "when": "approval"},
    ).content.decode()
    assert "Tweet content exceeds 280 character limit" in page and "x" * 300 in page
    post.refresh_from_db()
    assert post.content == "Original"


def test_media_can_be_removed_while_editing(client, rita, make_post, alice_account, png):
    post = make_post(media_files=[png], alt_texts=["A dot"])
    media = post.media.get()
    client.force_login(rita)
    client.post(
        f"/posts/{post.pk}/edit/",
        {"content": "Text only now", "hashtags": "", "accounts": [alice_account.pk], "when": "approval",
         "remove_media": [media.pk]},
    )
    assert not post.media.exists()


def test_a_published_post_cannot_be_edited(client, rita, make_post):
    post = make_post()
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED, published_at=timezone.now())
    client.force_login(rita)
    response = client.get(f"/posts/{post.pk}/edit/", follow=True)
    assert "A post that is published cannot be edited." in response.content.decode()


def test_nobody_else_can_open_the_edit_page(client, rex, alice, mallory, make_post):
    post = make_post()
    for person in (rex, alice, mallory):
        client.force_login(person)
        assert client.get(f"/posts/{post.pk}/edit/").status_code == 404
