"""A review names the version of the post it approves (Post.version, raised by every edit): a
review of text that changed since is refused with 409 and the current text, at every door."""

import re

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from posts import errors, services
from posts.models import Post, ReviewEvent


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def shown_version(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html)[1]


def test_every_edit_raises_the_version(make_post, rita):
    post = make_post()
    assert post.version == 1
    services.edit_post(actor=rita, post=post, content="Changed")
    services.edit_post(actor=rita, post=post, hashtags=["other"])
    post.refresh_from_db()
    assert post.version == 3


def test_a_review_of_an_older_version_reviews_nothing(make_post, rita, alice):
    post = make_post()
    services.edit_post(actor=rita, post=post, content="Buy now, 90% off")
    with pytest.raises(errors.Stale, match="This post changed since you opened it"):
        services.review_post(actor=alice, post=post, action=1, version=1)
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING and not post.reviews.exists()
    services.review_post(actor=alice, post=post, action=1, version=2)
    assert ReviewEvent.objects.get(post=post).version == 2


def test_the_approve_form_on_screen_does_not_approve_text_changed_through_the_api(client, make_post, rita, alice):
    post = make_post(content="Spring is here")
    client.force_login(alice)
    page = client.get(f"/posts/{post.pk}/").content.decode()
    version = shown_version(page)

    assert api(rita).patch(f"/api/posts/{post.pk}", {"content": "Everything must go"}, format="json").status_code == 200
    response = client.post(f"/posts/{post.pk}/review/", {"action": 1, "version": version})

    assert response.status_code == 409
    html = response.content.decode()
    assert "This post changed since you opened it" in html
    assert "Everything must go" in html and shown_version(html) == "2"
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING
    # Approving again from the page now shown approves what it shows.
    client.post(f"/posts/{post.pk}/review/", {"action": 1, "version": shown_version(html)})
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED


def test_a_page_review_without_a_version_is_refused(client, make_post, alice):
    post = make_post()
    client.force_login(alice)
    response = client.post(f"/posts/{post.pk}/review/", {"action": 1})
    assert response.status_code == 400 and "which version" in response.content.decode()
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING


def test_the_inbox_review_forms_carry_the_version_shown(client, make_post, alice):
    post = make_post()
    client.force_login(alice)
    page = client.get("/posts/inbox/").content.decode()
    assert page.count('name="version" value="1"') == 1  # one form: approve and reject
    assert f'name="version-{post.pk}" value="1" form="bulk"' in page


def test_bulk_review_skips_posts_changed_since_the_inbox_was_opened(client, make_post, rita, alice):
    fresh, changed = make_post(content="A"), make_post(content="B")
    services.edit_post(actor=rita, post=changed, content="B, changed")
    client.force_login(alice)
    response = client.post(
        "/posts/inbox/review/",
        {"posts": [fresh.pk, changed.pk], "action": 1, f"version-{fresh.pk}": 1, f"version-{changed.pk}": 1},
        follow=True,
    )
    page = response.content.decode()
    assert "1 post approved." in page and f"Post {changed.pk}: This post changed since you opened it" in page
    assert dict(Post.objects.values_list("pk", "status")) == {fresh.pk: 1, changed.pk: 0}


def test_the_api_answers_409_with_the_current_post(make_post, rita, alice):
    post = make_post()
    api(rita).patch(f"/api/posts/{post.pk}", {"content": "New text"}, format="json")
    response = api(alice).patch(f"/post/{post.pk}/review", {"action": 1, "version": 1}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["success"] is False and body["message"].startswith("This post changed since you opened it")
    assert body["details"]["version"] == 2 and body["details"]["post"]["content"] == "New text"
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING


def test_the_api_asks_for_the_version(make_post, alice):
    post = make_post()
    response = api(alice).patch(f"/post/{post.pk}/review", {"action": 1}, format="json")
    assert response.status_code == 400 and "version" in response.json()["details"]
    assert api(alice).get(f"/api/posts/{post.pk}").json()["version"] == 1


def test_the_reviews_endpoint_reviews_a_named_version_and_lists_it(make_post, rita, alice):
    post = make_post()
    services.edit_post(actor=rita, post=post, content="Second draft")
    stale = api(alice).post(f"/api/posts/{post.pk}/reviews", {"action": 1, "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["details"]["post"]["content"] == "Second draft"
    done = api(alice).post(f"/api/posts/{post.pk}/reviews", {"action": 2, "feedback": "No", "version": 2}, format="json")
    assert done.status_code == 201 and (done.json()["action"], done.json()["version"]) == (2, 2)
    history = api(alice).get(f"/api/posts/{post.pk}/reviews").json()["results"]
    assert [(e["action"], e["version"]) for e in history] == [(2, 2)]


def test_the_admin_action_approves_only_the_version_staff_read(client, sam, make_post, rita):
    post = make_post(content="First")
    client.force_login(sam)
    ask = client.post("/admin/posts/post/", {"action": "approve_posts", "_selected_action": [post.pk]}).content.decode()
    assert "First" in ask and f'name="version-{post.pk}" value="1"' in ask
    services.edit_post(actor=rita, post=post, content="Second")
    response = client.post(
        "/admin/posts/post/",
        {"action": "approve_posts", "_selected_action": [post.pk], "apply": "1", f"version-{post.pk}": 1},
        follow=True,
    )
    assert "This post changed since you opened it" in response.content.decode()
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING


def test_an_edit_after_a_rejection_sends_the_post_back_to_pending_as_a_new_version(make_post, rita, alice):
    post = make_post()
    services.review_post(actor=alice, post=post, action=2, feedback="Shorter", version=1)
    services.edit_post(actor=rita, post=post, content="Short")
    post.refresh_from_db()
    assert (post.status, post.version) == (Post.Status.PENDING, 2)
