"""Who may create, edit and review: reseller, other reseller, client, other client, staff, anonymous."""

import pytest
from django.contrib.auth.models import AnonymousUser

from posts import services
from socialhub.errors import NotAllowed

ALLOWED_TO_CREATE = {"rita": True, "rex": False, "alice": False, "bob": False, "sam": True}
ALLOWED_TO_EDIT = {"rita": True, "rex": False, "alice": False, "bob": False, "sam": True}
# rita wrote the post: she can never review it.
ALLOWED_TO_REVIEW = {"rita": False, "rex": False, "alice": True, "bob": False, "sam": True}


@pytest.fixture
def people(rita, rex, alice, bob, sam, bob_task):
    return {"rita": rita, "rex": rex, "alice": alice, "bob": bob, "sam": sam}


@pytest.mark.parametrize("who,allowed", ALLOWED_TO_CREATE.items())
def test_create(people, who, allowed, task, alice_account):
    def create():
        return services.create_post(
            author=people[who], task=task, content="Hello", account_ids=[alice_account.pk]
        )

    if allowed:
        assert create().created_by == people[who]
    else:
        with pytest.raises(NotAllowed):
            create()


@pytest.mark.parametrize("who,allowed", ALLOWED_TO_EDIT.items())
def test_edit(people, who, allowed, make_post):
    post = make_post()
    if allowed:
        assert services.edit_post(actor=people[who], post=post, content="Edited").content == "Edited"
    else:
        with pytest.raises(NotAllowed):
            services.edit_post(actor=people[who], post=post, content="Edited")


@pytest.mark.parametrize("who,allowed", ALLOWED_TO_REVIEW.items())
def test_review(people, who, allowed, make_post):
    post = make_post()
    if allowed:
        assert services.review_post(actor=people[who], post=post, action=1).status == 1
    else:
        with pytest.raises(NotAllowed):
            services.review_post(actor=people[who], post=post, action=1)


def test_anonymous_can_do_nothing(make_post, task, alice_account, db):
    anonymous = AnonymousUser()
    post = make_post()
    with pytest.raises(NotAllowed):
        services.create_post(author=anonymous, task=task, content="x", account_ids=[alice_account.pk])
    with pytest.raises(NotAllowed):
        services.edit_post(actor=anonymous, post=post, content="x")
    with pytest.raises(NotAllowed):
        services.review_post(actor=anonymous, post=post, action=1)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_querysets_are_scoped(make_post, rita, rex, alice, bob, sam):
    from posts.models import Post

    post = make_post()
    assert list(Post.objects.for_user(rita)) == [post]
    assert list(Post.objects.for_user(alice)) == [post]
    assert list(Post.objects.for_user(sam)) == [post]
    assert list(Post.objects.for_user(rex)) == []
    assert list(Post.objects.for_user(bob)) == []
