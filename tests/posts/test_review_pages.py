"""The client's review inbox: approve or reject one post or several, and the history of reviews."""

import pytest

from posts.models import Post


def versions(posts) -> dict:
    """What the inbox page sends with its bulk form: each post's version as shown."""
    return {f"version-{p.pk}": p.version for p in posts}


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_the_inbox_shows_pending_posts_with_their_preview(alice_client, make_post, bob_task, rex, bob_account):
    make_post(content="Tulips at https://example.com")
    page = alice_client.get("/posts/inbox/").content.decode()
    assert 'class="x-card"' in page and "Tulips at" in page and "@alice_x" in page
    assert "1 post waiting for you" in page


def test_the_client_approves_a_post_from_the_inbox(alice_client, make_post):
    post = make_post()
    response = alice_client.post(f"/posts/{post.pk}/review/", {"action": 1, "version": 1, "next": "/posts/inbox/"}, follow=True)
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED
    assert "1 post approved." in response.content.decode()


def test_rejecting_without_feedback_shows_the_error_next_to_the_feedback(alice_client, make_post):
    post = make_post()
    response = alice_client.post(f"/posts/{post.pk}/review/", {"action": 2, "version": 1, "feedback": "  "})
    page = response.content.decode()
    assert response.status_code == 400
    errors = page.split(f'id="feedback-errors-{post.pk}">', 1)[1].split("</div>", 1)[0]
    assert "Say why the post is rejected" in errors
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING


def test_several_posts_are_approved_with_one_submit(alice_client, make_post):
    posts = [make_post(content=f"Post {i}") for i in range(3)]
    response = alice_client.post(
        "/posts/inbox/review/", {"posts": [p.pk for p in posts[:2]], "action": 1, **versions(posts)}, follow=True
    )
    assert "2 posts approved." in response.content.decode()
    assert [p.status for p in Post.objects.order_by("pk")] == [1, 1, 0]


def test_several_posts_are_rejected_with_one_feedback(alice_client, make_post):
    posts = [make_post(content=f"Post {i}") for i in range(2)]
    ids = [p.pk for p in posts]
    page = alice_client.post("/posts/inbox/review/", {"posts": ids, "action": 2, **versions(posts)}, follow=True).content.decode()
    assert "Say why the posts are rejected" in page
    assert set(Post.objects.values_list("status", flat=True)) == {0}
    alice_client.post("/posts/inbox/review/", {"posts": ids, "action": 2, "feedback": "Too salesy", **versions(posts)})
    assert set(Post.objects.values_list("status", "feedback")) == {(5, "Too salesy")}


def test_bulk_review_cannot_reach_someone_elses_posts(client, bob, make_post):
    post = make_post()
    client.force_login(bob)
    page = client.post("/posts/inbox/review/", {"posts": [post.pk], "action": 1, **versions([post])}, follow=True).content.decode()
    assert "Select a valid choice" in page
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING


def test_the_author_cannot_review_their_own_post(client, rita, make_post):
    post = make_post()
    client.force_login(rita)
    assert client.post(f"/posts/{post.pk}/review/", {"action": 1, "version": 1}).status_code == 404
    assert "Approve</button>" not in client.get(f"/posts/{post.pk}/").content.decode()


def test_the_client_sees_what_they_approved_and_rejected(alice_client, alice, make_post):
    first, second = make_post(content="First"), make_post(content="Second")
    alice_client.post(f"/posts/{first.pk}/review/", {"action": 1, "version": 1})
    alice_client.post(f"/posts/{second.pk}/review/", {"action": 2, "feedback": "Not this week", "version": 1})
    page = alice_client.get("/posts/reviewed/").content.decode()
    assert "Approved" in page and "First" in page
    assert "Not this week" in page and "Second" in page
    assert "Nothing waiting for your review." in alice_client.get("/posts/inbox/").content.decode()
