"""Threads on the pages, without JavaScript: compose and edit a thread, the server's count per
part, and the post page, review inbox and dashboard showing every part."""

import pytest

from posts import services
from posts.models import ChannelPart, Post, PostChannel
from socials.error_kinds import TOO_LONG
from tests.conftest import PNG_BYTES, upload


@pytest.fixture
def rita_client(client, rita):
    client.force_login(rita)
    return client


def form_data(task, account, **overrides):
    data = {"task": task.pk, "content": "Part one", "hashtags": "#spring", "accounts": [account.pk], "when": "approval"}
    data.update(overrides)
    return data


def errors_for(page, name):
    return page.split(f'data-errors-for="{name}"', 1)[1].split("</div>", 1)[0]


def test_add_another_part_without_javascript_keeps_what_was_typed(rita_client, task, alice_account):
    response = rita_client.post("/posts/new/", form_data(task, alice_account, **{"part-2-content": "Part two", "add_part": "1"}))
    page = response.content.decode()

    assert response.status_code == 200 and not Post.objects.exists()
    assert ">Part two</textarea>" in page
    assert 'name="part-3-content"' in page  # the new, empty part
    assert "Part one" in page and 'value="#spring"' in page
    assert "errorlist" not in page  # nothing judged yet


def test_a_thread_is_composed_with_each_parts_media(rita_client, task, alice_account):
    response = rita_client.post("/posts/new/", form_data(task, alice_account, **{
        "part-2-content": "Part two",
        "part-2-media": upload("tulip.png", PNG_BYTES, "image/png"),
        "part-2-alt_text": "A tulip",
        "part-3-content": "Part three",
        "part-4-content": "",  # an untouched empty part is dropped
    }))

    post = Post.objects.get()
    assert response.status_code == 302
    assert [(p.position, p.text) for p in post.thread] == [(1, "Part one\n\n#spring"), (2, "Part two"), (3, "Part three")]
    assert [m.alt_text for m in post.thread[1].media] == ["A tulip"]


def test_a_too_long_part_is_named_next_to_the_parts(rita_client, task, alice_account):
    page = rita_client.post("/posts/new/", form_data(task, alice_account, **{"part-2-content": "x" * 281})).content.decode()
    assert not Post.objects.exists()
    assert f"Part 2: {TOO_LONG}" in errors_for(page, "parts")
    assert "x" * 281 in page


def test_the_preview_counts_each_part_on_its_own(rita_client):
    answer = rita_client.post("/posts/preview", {
        "content": "One", "hashtags": "spring", "part-2-content": "🌷" * 10, "part-5-content": "x" * 281,
    }).json()
    assert answer["weighted_length"] == len("One\n\n#spring")
    assert [(p["n"], p["weighted_length"], p["over"]) for p in answer["parts"]] == [(2, 20, False), (5, 281, True)]


def test_editing_a_thread_changes_removes_and_adds_parts(rita_client, make_post):
    post = make_post(content="", parts=[{"content": "One"}, {"content": "Two"}, {"content": "Three"}])
    two, three = post.parts.all()
    page = rita_client.get(f"/posts/{post.pk}/edit/").content.decode()
    assert ">Two</textarea>" in page and ">Three</textarea>" in page

    response = rita_client.post(f"/posts/{post.pk}/edit/", {
        "content": "One", "hashtags": "", "accounts": [post.channels.get().account_id], "when": "approval",
        "part-2-id": two.pk, "part-2-content": "Two", "part-2-delete": "1",
        "part-3-id": three.pk, "part-3-content": "Three, now second",
        "part-4-content": "Four",
    })

    assert response.status_code == 302
    assert [p.text for p in Post.objects.get(pk=post.pk).thread] == ["One", "Three, now second", "Four"]


@pytest.fixture
def thread_post(make_post):
    return make_post(content="", parts=[{"content": "First of three"}, {"content": "Second of three"}, {"content": "Third of three"}])


def test_the_review_inbox_shows_every_part(client, alice, thread_post):
    client.force_login(alice)
    page = client.get("/posts/inbox/").content.decode()
    assert "First of three" in page and "Second of three" in page and "Third of three" in page
    assert "Thread of 3 parts" in page


def test_the_dashboard_says_a_post_is_a_thread(rita_client, thread_post):
    page = rita_client.get("/posts/").content.decode()
    assert "thread of 3 parts" in page


def test_the_post_page_shows_each_parts_tweet_and_where_the_thread_stopped(client, alice, thread_post):
    services.review_post(actor=alice, post=thread_post, action=1)
    channel = PostChannel.objects.get(post=thread_post)
    PostChannel.objects.filter(pk=channel.pk).update(state="retry", remote_id="100", remote_url="https://x.com/alice_x/status/100")
    ChannelPart.objects.create(channel=channel, part=thread_post.parts.get(position=2), remote_id="101",
                               remote_url="https://x.com/alice_x/status/101", in_reply_to="100")
    Post.objects.filter(pk=thread_post.pk).update(status=Post.Status.PROCESSING)
    client.force_login(alice)

    page = client.get(f"/posts/{thread_post.pk}/").content.decode()

    assert "Third of three" in page
    assert 'href="https://x.com/alice_x/status/101"' in page
    assert "Part 3, @alice_x: waiting to retry" in page


def test_before_approval_every_part_says_it_waits_for_approval_not_queued(client, alice, thread_post):
    client.force_login(alice)

    page = client.get(f"/posts/{thread_post.pk}/").content.decode()

    for n in (1, 2, 3):
        assert f"Part {n}, @alice_x: waiting for approval" in page
    assert "queued" not in page


def test_a_rejected_thread_says_it_was_not_sent(client, alice, thread_post):
    services.review_post(actor=alice, post=thread_post, action=2, feedback="Not this week")
    client.force_login(alice)

    page = client.get(f"/posts/{thread_post.pk}/").content.decode()

    assert "Part 1, @alice_x: not sent (rejected)" in page and "queued" not in page


def test_once_approved_the_parts_are_queued(client, alice, thread_post):
    services.review_post(actor=alice, post=thread_post, action=1)
    client.force_login(alice)

    page = client.get(f"/posts/{thread_post.pk}/").content.decode()

    assert "Part 1, @alice_x: queued" in page and "Part 2, @alice_x: waiting for the part before" in page
