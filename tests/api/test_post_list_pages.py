"""GET /api/posts pages by cursor: newest first, every post once, stable while posts are written,
no total; each post reads as DRF's own fields would show it; no account secret is read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from posts.models import ChannelPart, Post, PostChannel, prefetch_rows
from posts.serializers import PostSerializer
from tests.conftest import PNG_BYTES, make_account, upload


def contents(body) -> list[str]:
    return [p["content"] for p in body["results"]]


@pytest.fixture
def seven(make_post):
    return [make_post(content=f"Post {i}") for i in range(7)]


def test_pages_follow_next_newest_first_each_post_once_without_a_total(api, rita, seven):
    client = api(rita)
    first = client.get("/api/posts?page_size=3").json()
    assert "count" not in first and first["previous"] is None
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert contents(first) + contents(second) + contents(third) == [f"Post {i}" for i in range(6, -1, -1)]
    assert third["next"] is None
    assert contents(client.get(second["previous"]).json()) == contents(first)


def test_a_post_written_while_paging_neither_repeats_nor_skips_a_row(api, rita, seven, make_post):
    client = api(rita)
    first = client.get("/api/posts?page_size=3").json()
    make_post(content="Newer")
    Post.objects.filter(content="Post 6").delete()  # one already shown goes
    assert contents(client.get(first["next"]).json()) == ["Post 3", "Post 2", "Post 1"]


def test_posts_created_in_the_same_instant_keep_a_stable_order(api, rita, seven):
    Post.objects.update(created_at=timezone.now())
    client = api(rita)
    first = client.get("/api/posts?page_size=3").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    shown = contents(first) + contents(second) + contents(third)
    assert shown == [f"Post {i}" for i in range(6, -1, -1)]  # by id when times are equal


def test_a_bad_cursor_is_a_404_in_the_error_envelope(api, rita, seven):
    response = api(rita).get("/api/posts?cursor=not-a-cursor")
    assert response.status_code == 404
    assert response.json()["success"] is False and "cursor" in response.json()["message"].lower()


def test_page_size_goes_up_to_100(api, rita, make_post, task):
    Post.objects.bulk_create([Post(task=task, created_by=rita, content=f"Bulk {i}") for i in range(105)])
    assert len(api(rita).get("/api/posts?page_size=500").json()["results"]) == 100


def test_filters_and_cursor_work_together(api, rita, alice, seven):
    from posts import services

    for post in seven[:4]:
        services.review_post(actor=alice, post=post, action=1)
    client = api(rita)
    first = client.get("/api/posts?status=1&page_size=3").json()
    assert contents(first) == ["Post 3", "Post 2", "Post 1"]
    assert contents(client.get(first["next"]).json()) == ["Post 0"]


def test_the_schema_documents_the_cursor_and_no_count(client, db):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/posts"]["get"]
    assert "cursor" in {p["name"] for p in operation["parameters"]}
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    page = schema["components"]["schemas"][ref]["properties"]
    assert {"next", "previous", "results"} <= set(page) and "count" not in page


@pytest.mark.parametrize("who", ["alice", "rita", "sam"])  # staff's page joins the tasks, the others' do not
def test_each_post_reads_as_drfs_own_fields_would_show_it(request, api, rita, alice, make_post, alice_account, who):
    second = make_account(alice, "alice_two")
    first = {"content": "One", "media_files": [upload("a.png", PNG_BYTES, "image/png")]}
    post = make_post(
        content="", parts=[first, {"content": "Two"}], account_ids=[alice_account.pk, second.pk], schedule_at=timezone.now() + timezone.timedelta(days=1),
    )
    channel = post.channels.get(account=alice_account)
    PostChannel.objects.filter(pk=channel.pk).update(
        state="published", remote_id="1799", remote_url="https://x.com/alice_x/status/1799",
        published_at=timezone.now(), metrics={"like_count": 3},
    )
    ChannelPart.objects.create(
        channel=channel, part=post.parts.get(), remote_id="1800", remote_url="https://x.com/1800"
    )
    plain = make_post(content="Hello #spring", hashtags=["spring", "launch"], text_overrides={"mastodon": "Hi"},
                      options={"reply_settings": "following"})
    Post.objects.filter(pk=plain.pk).update(status=Post.Status.REJECTED, feedback="Not yet")
    body = api(request.getfixturevalue(who)).get("/api/posts").json()["results"]

    factory_request = APIRequestFactory().get("/api/posts")
    fresh = prefetch_rows(list(Post.objects.for_list().filter(pk__in=[post.pk, plain.pk])), thread=True,
                          channel_parts=True)
    serializer = PostSerializer(context={"request": factory_request})
    assert body == [_json(serializers.ModelSerializer.to_representation(serializer, p)) for p in fresh]
    assert sorted(c["state"] for c in body[1]["parts"][1]["channels"]) == ["awaiting_approval", "published"]
    assert body[0]["channels"][0]["state"] == "not_sent" and body[0]["options"]["reply_settings"] == "following"


def test_a_post_of_a_task_made_after_the_viewers_tasks_were_read_shows_its_people(rita, alice, make_post):
    from posts import api_list

    post = make_post(content="New task's")
    [row] = api_list.rows(Post.objects.filter(pk=post.pk).for_list(join=()), join_task=False)
    [shown] = api_list.represent([row], None, tasks={})
    assert (shown["client"], shown["reseller"]) == (str(alice.pk), str(rita.pk))


def test_a_page_of_single_posts_reads_no_media_or_parts_and_a_thread_on_it_still_shows(api, rita, make_post):
    client = api(rita)
    make_post(content="Plain")
    with CaptureQueriesContext(connection) as plain:
        client.get("/api/posts")
    make_post(content="", parts=[{"content": "One", "media_files": [upload("a.png", PNG_BYTES, "image/png")]},
                                 {"content": "Two"}])
    with CaptureQueriesContext(connection) as mixed:
        body = client.get("/api/posts").json()["results"]

    assert len(mixed) == len(plain) + 4  # the media, the parts, their media, what each channel sent of them
    thread, single = body
    assert [(p["content"], len(p["media"])) for p in thread["parts"]] == [("One", 1), ("Two", 0)]
    assert len(thread["media"]) == 1 and thread["parts"][1]["channels"][0]["state"] == "awaiting_approval"
    assert [p["content"] for p in single["parts"]] == ["Plain"] and single["media"] == []


def _json(data):
    import json

    from rest_framework.utils.encoders import JSONEncoder

    return json.loads(json.dumps(data, cls=JSONEncoder))


@pytest.mark.parametrize("url, who", [("/api/posts", "rita"), ("/posts/", "rita"), ("/posts/inbox/", "alice"),
                                      ("/posts/published/", "alice")])
def test_post_lists_never_read_an_account_secret(request, client, api, make_post, url, who):
    from posts import services

    person = request.getfixturevalue(who)
    post = make_post()
    make_post()  # one waits for review
    services.review_post(actor=request.getfixturevalue("alice"), post=make_post(), action=1)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED, published_at=timezone.now())
    web = api(person) if url.startswith("/api/") else client
    if not url.startswith("/api/"):
        client.force_login(person)
    with CaptureQueriesContext(connection) as queries:
        assert web.get(url).status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "socials_account" in sql  # the accounts are read (their names are shown)...
    assert "access_token" not in sql and "secret" not in sql  # ...but none of their token columns
