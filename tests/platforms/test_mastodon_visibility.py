"""Who sees a post on Mastodon: public (the default), unlisted or followers only, chosen per post in
the composer's Mastodon options or the API's `options.mastodon_visibility`, and sent as the status's
`visibility` with every part of a thread."""

from posts import publishing, services
from posts.models import Post
from tests.api.conftest import client_for


def statuses(sandbox):
    return sorted(sandbox.state.statuses.values(), key=lambda s: int(s["id"]))


def test_a_followers_only_thread_goes_to_mastodon_followers_only_every_part(
    sandbox, rita, alice, task, mastodon_account
):
    url = f"/post/for-user/{alice.pk}/{task.pk}"
    body = client_for(rita).post(url, {
        "post_channels": [{"channel_id": str(mastodon_account.pk)}],
        "parts": [{"content": "For our followers"}, {"content": "and the rest of it"}],
        "options": {"mastodon_visibility": "private"},
    }, format="json").json()
    assert body["options"]["mastodon_visibility"] == "private", body
    post = Post.objects.get(pk=body["id"])
    services.review_post(actor=alice, post=post, action=1)

    publishing.publish_post(post_id=post.pk)

    assert [(s["text"], s["visibility"]) for s in statuses(sandbox)] == [
        ("For our followers", "private"), ("and the rest of it", "private")]
    assert client_for(rita).get(f"/api/posts/{post.pk}").json()["options"]["mastodon_visibility"] == "private"


def test_posts_are_public_unless_told_otherwise(sandbox, rita, alice, task, mastodon_account):
    post = services.create_post(author=rita, task=task, content="Hello", account_ids=[mastodon_account.pk])
    services.review_post(actor=alice, post=post, action=1)
    publishing.publish_post(post_id=post.pk)
    assert [s["visibility"] for s in statuses(sandbox)] == ["public"]


def test_an_unknown_visibility_is_refused_in_the_error_envelope(rita, alice, task, mastodon_account):
    response = client_for(rita).post(f"/post/for-user/{alice.pk}/{task.pk}", {
        "content": "Hello", "post_channels": [{"channel_id": str(mastodon_account.pk)}],
        "options": {"mastodon_visibility": "direct"},
    }, format="json")
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert response.json()["details"] == {
        "mastodon_visibility": ["Choose who sees it on Mastodon: public, unlisted, private."]}


def test_the_composer_offers_it_for_clients_on_mastodon_and_keeps_the_choice(
    client, rita, alice, task, mastodon_account, alice_account
):
    client.force_login(rita)
    page = client.get("/posts/new/").content.decode()
    assert "Mastodon options" in page and 'name="mastodon_visibility"' in page

    client.post("/posts/new/", {"task": task.pk, "content": "Quietly", "accounts": [mastodon_account.pk],
                                "when": "approval", "mastodon_visibility": "unlisted"})

    post = Post.objects.get(content="Quietly")
    assert post.mastodon_visibility == "unlisted"
    edit = client.get(f"/posts/{post.pk}/edit/").content.decode()
    assert '<option value="unlisted" selected>' in edit


def test_the_composer_shows_no_mastodon_options_without_a_mastodon_account(client, rita, alice_account):
    client.force_login(rita)
    assert "Mastodon options" not in client.get("/posts/new/").content.decode()
