"""Dashboard, inbox and lists: what each shows, a flat query count however many rows, live status."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from posts.models import Post, PostChannel


def publish(post, *, metrics=None):
    """Mark a post published the way the publishing pipeline leaves it."""
    now = timezone.now()
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED, published_at=now)
    post.channels.update(
        state=PostChannel.State.PUBLISHED, remote_id="1799", remote_url="https://x.com/alice_x/status/1799",
        published_at=now, metrics=metrics or {},
    )


def fail(post, *, kind="duplicate", message="X already has this exact text: change it"):
    Post.objects.filter(pk=post.pk).update(status=Post.Status.FAILED)
    post.channels.update(state=PostChannel.State.FAILED, error_kind=kind, last_error=message)


def test_the_dashboard_shows_each_state_with_what_it_needs(client, rita, alice, make_post):
    from posts import services

    publish(make_post(content="Live one"), metrics={"like_count": 7, "impression_count": 120})
    fail(make_post(content="Broken one"))
    services.review_post(actor=alice, post=make_post(content="Rejected one"), action=2, feedback="Wrong date")
    client.force_login(rita)
    page = client.get("/posts/").content.decode()
    assert 'href="https://x.com/alice_x/status/1799"' in page and "7 likes" in page and "120 views" in page
    assert "X already has this exact text: change it" in page and "write it again with different words" in page
    assert "Feedback:</strong> Wrong date" in page
    assert "Spring launch" in page  # the task, with its client
    filtered = client.get("/posts/?status=4").content.decode()
    assert "Broken one" in filtered and "Live one" not in filtered


def test_the_dashboard_links_a_writer_to_edit_a_pending_post_and_to_write_a_failed_one_again(client, rita, make_post):
    pending, failed = make_post(content="Still pending"), make_post(content="Broken one")
    fail(failed)
    client.force_login(rita)
    page = client.get("/posts/").content.decode()
    assert f'<a class="small" href="/posts/{pending.pk}/edit/">Edit</a>' in page
    assert f'<a class="small" href="/posts/new/?from={failed.pk}">Write it again</a>' in page
    assert page.count(">Edit</a>") == 1  # the failed post is not edited, it is written again


def test_the_client_sees_published_posts_without_the_writers_links(client, alice, make_post):
    publish(make_post(content="Live one"))
    client.force_login(alice)
    page = client.get("/posts/published/").content.decode()
    assert "Live one" in page and "View on X as @alice_x" in page
    assert "Write it again" not in page and ">Edit</a>" not in page


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url, viewer", [
    ("/posts/", "rita"), ("/posts/inbox/", "alice"), ("/posts/published/", "alice"),
    ("/posts/reviewed/", "alice"), ("/posts/calendar/", "rita"),
])
def test_list_pages_make_as_many_queries_for_twenty_posts_as_for_one(client, request, make_post, png, url, viewer):
    from posts import services

    def add_post():
        post = make_post(media_files=[png], schedule_at=timezone.now() + timezone.timedelta(hours=1))
        if "reviewed" in url or "published" in url:
            services.review_post(actor=request.getfixturevalue("alice"), post=post, action=1)
        if "published" in url:
            publish(post, metrics={"like_count": 1})
        return post

    client.force_login(request.getfixturevalue(viewer))
    add_post()
    one = queries_for(client, url)
    for _ in range(19):
        add_post()
    assert queries_for(client, url) == one


def test_lists_are_paginated(client, rita, make_post):
    for i in range(21):
        make_post(content=f"Post number {i}")
    client.force_login(rita)
    first = client.get("/posts/").content.decode()
    assert "Page 1 of 2" in first and "Post number 20" in first and "Post number 0<" not in first
    assert "Post number 0" in client.get("/posts/?page=2").content.decode()


def test_the_status_endpoint_answers_only_for_the_viewers_posts(client, rita, rex, make_post):
    post = make_post()
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PROCESSING)
    client.force_login(rita)
    data = client.get(f"/posts/status/?ids={post.pk}").json()
    assert data["posts"][0]["status"] == 2 and data["posts"][0]["live"] is True
    assert "Processing" in data["posts"][0]["html"]
    publish(post)
    row = client.get(f"/posts/status/?ids={post.pk}").json()["posts"][0]
    assert row["live"] is False and "https://x.com/alice_x/status/1799" in row["html"]
    client.force_login(rex)
    assert client.get(f"/posts/status/?ids={post.pk}").json() == {"posts": []}


def test_a_post_scheduled_for_later_is_not_polled(client, rita, make_post):
    from posts import services

    post = make_post(schedule_at=timezone.now() + timezone.timedelta(days=2))
    services.review_post(actor=post.task.user, post=post, action=1)
    client.force_login(rita)
    assert 'data-live="0"' in client.get(f"/posts/{post.pk}/").content.decode()
    assert client.get(f"/posts/status/?ids={post.pk}").json()["posts"][0]["live"] is False


def test_other_peoples_posts_are_not_found(client, mallory, rex, make_post):
    post = make_post()
    for person in (mallory, rex):
        client.force_login(person)
        assert client.get(f"/posts/{post.pk}/").status_code == 404


def test_a_row_says_how_many_attachments_and_thread_parts_a_post_has(client, rita, make_post, png):
    make_post(content="", parts=[{"content": "One", "media_files": [png]}, {"content": "Two"}, {"content": "Three"}])
    make_post(content="Plain")
    client.force_login(rita)
    page = client.get("/posts/").content.decode()
    assert page.count("· 1 attachment") == 1 and page.count("thread of 3 parts") == 1


@pytest.mark.parametrize("viewer, url", [("alice", "/posts/published/"), ("rita", "/posts/")])
def test_lists_show_a_long_posts_whole_text_with_its_hashtags(client, request, make_post, viewer, url):
    text = "Fresh sourdough, rye and spelt loaves every Saturday from 7am at the market hall; cardamom buns " \
           "on Fridays, and cinnamon rolls while they last"
    publish(make_post(content=text, hashtags=["bakery", "sourdough"]))
    client.force_login(request.getfixturevalue(viewer))

    page = client.get(url).content.decode()

    assert f"{text}\n\n#bakery #sourdough" in page and "…" not in page


def test_rows_label_every_networks_account_without_a_query_per_row(client, rita, alice, make_post):
    """A list reads only the account columns its rows show; those are enough for each network's label."""
    from tests.conftest import make_account

    first = make_post(content="First")
    client.force_login(rita)
    with CaptureQueriesContext(connection) as before:
        client.get("/posts/")
    mastodon = make_account(alice, "alice_m", provider="mastodon", server_url="https://social.example")
    page = make_account(alice, "", provider="facebook", name="Alice's Bakery", provider_account_id="4242")
    for post in (first, make_post(content="Second")):
        for account in (mastodon, page):
            PostChannel.objects.create(post=post, account=account)
    with CaptureQueriesContext(connection) as after:
        shown = client.get("/posts/").content.decode()
    assert shown.count("@alice_m@social.example") == 2 and shown.count("Alice&#x27;s Bakery") == 2
    assert len(after.captured_queries) == len(before.captured_queries)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/St_Johns"])
def test_rows_show_times_as_the_date_filter_would(zone):
    import datetime as dt
    import zoneinfo

    from django.utils import dateformat

    from posts.rows import WHEN_FORMAT, when

    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for moment in (dt.datetime(2026, 1, 5, 0, 7, tzinfo=dt.UTC), dt.datetime(987, 12, 31, 23, 59, tzinfo=dt.UTC),
                       dt.datetime(2026, 5, 31, 13, 30, tzinfo=dt.UTC), dt.datetime(2026, 9, 9, 9, 9, tzinfo=dt.UTC)):
            assert when(moment) == dateformat.format(timezone.localtime(moment), WHEN_FORMAT)


MARKUP = '<img src=x onerror="alert(1)">'


def test_what_people_typed_is_shown_as_text_in_every_list(client, rita, alice, task, make_post):
    task.title = f"Launch {MARKUP}"
    task.save()
    waiting = make_post(content=f"Hello {MARKUP}", hashtags=[])
    failed = make_post(content="Broken one")
    fail(failed, message=f"X said {MARKUP}")
    from posts import services

    services.review_post(actor=alice, post=make_post(content="Nope"), action=2, feedback=f"Not {MARKUP}")
    client.force_login(rita)
    dashboard = client.get("/posts/").content.decode()
    client.force_login(alice)
    inbox = client.get("/posts/inbox/").content.decode()
    status = client.get(f"/posts/status/?ids={failed.pk}").json()["posts"][0]["html"]
    for page in (dashboard, inbox, status):
        assert MARKUP not in page
    assert "Hello &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in dashboard
    assert "Not &lt;img" in dashboard and "Launch &lt;img" in dashboard and "X said &lt;img" in dashboard
    assert "Launch &lt;img" in inbox and f'value="{waiting.pk}"' in inbox
    assert "X said &lt;img" in status
