"""A list's query count does not grow with its length: measured with 1 row, asserted with 20."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from posts import services
from posts.models import TaskAssign
from tests.conftest import PNG_BYTES, make_account, upload


@pytest.fixture
def grow(make_post, alice, rita, alice_account, sam):
    second = make_account(alice, "alice_second")

    def _grow(n):
        for _ in range(n):
            index = TaskAssign.objects.count()
            post = make_post(
                content=f"Post {index}",
                account_ids=[alice_account.pk, second.pk],
                media_files=[upload("p.png", PNG_BYTES)],
            )
            services.review_post(actor=alice, post=post, action=2, feedback="Again")
            TaskAssign.objects.create(user=alice, reseller=rita, title=f"Task {index}")
            User.objects.create_user(username=f"user{index}", role=User.Role.CLIENT)

    return _grow


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/api/posts", "/api/tasks", "/api/users"])
def test_a_list_of_20_takes_as_many_queries_as_a_list_of_1(api, sam, grow, url, django_assert_num_queries):
    client = api(sam)
    grow(1)
    with_one = queries_for(client, url)
    grow(19)
    with django_assert_num_queries(with_one):
        body = client.get(url).json()
    assert len(body["results"]) >= 20 and body.get("count", 20) >= 20  # /api/posts pages by cursor: no count


def test_a_review_history_of_many_takes_as_many_queries_as_one(api, sam, alice, make_post, django_assert_num_queries):
    post = make_post()
    services.review_post(actor=alice, post=post, action=2, feedback="No 1")
    client = api(sam)
    with_one = queries_for(client, f"/api/posts/{post.pk}/reviews")
    for i in range(2, 21):
        services.edit_post(actor=sam, post=post, content=f"Try {i}")
        services.review_post(actor=alice, post=post, action=2, feedback=f"No {i}")
    with django_assert_num_queries(with_one):
        assert client.get(f"/api/posts/{post.pk}/reviews").json()["count"] == 20
