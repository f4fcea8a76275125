"""A post's thread: comments from the post page, the review link and the API; rejection feedback
in it; the other side told by email and webhook; plain text, escaped."""

import pytest
from django.core import mail

from agency import comments, review_links
from notifications import services as notification_services
from notifications.models import Kind, Preference
from posts import services
from tests.api.conftest import api  # noqa: F401  (the fixture)
from tests.notifications.conftest import receiver, rita_endpoint  # noqa: F401  (fixtures)
from tests.notifications.helpers import run_queued

DELIVER = "notifications.tasks.deliver_webhook"


@pytest.fixture
def post(make_post):
    return make_post(content="Spring is here")


def test_a_comment_on_the_post_page_is_shown_escaped(client, rita, post):
    client.force_login(rita)
    client.post(f"/agency/posts/{post.pk}/comments/", {"body": "<script>alert(1)</script> Good?"})
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Good?" in page
    assert "<script>alert(1)" not in page


def test_rejection_feedback_appears_in_the_thread(alice, rita, post):
    comments.add_comment(actor=rita, post=post, body="First draft, tell me what you think")
    services.review_post(actor=alice, post=post, action=2, feedback="Too many emojis")
    thread = comments.thread_for(post)
    assert [(e.kind, e.author.username, e.body) for e in thread] == [
        ("comment", "rita", "First draft, tell me what you think"),
        ("rejection", "alice", "Too many emojis"),
    ]


def test_a_comment_from_the_review_link_is_the_clients(client, rita, alice, post):
    link = review_links.create_link(actor=rita, posts=[post])
    path = "/agency/review/" + review_links.token_for(link) + "/"
    answer = client.post(path, {"post": post.pk, "action": "comment", "body": "Can we add a photo?"}, REMOTE_ADDR="198.51.100.7")
    assert answer.status_code == 302
    (comment,) = post.comments.all()
    assert comment.author == alice and comment.link == link and comment.ip_address == "198.51.100.7"
    assert "Can we add a photo?" in client.get(path).content.decode()


def test_a_resellers_comment_emails_the_client_and_not_the_reseller(rita, alice, post, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comments.add_comment(actor=rita, post=post, body="Ready when you are")
    notification_services.flush(user_id=alice.pk)
    notification_services.flush(user_id=rita.pk)
    (message,) = [m for m in mail.outbox if "comment" in m.subject]
    assert message.to == ["alice@example.com"]
    assert "rita: Ready when you are" in message.body


def test_a_client_who_switched_comments_off_gets_no_email(rita, alice, post, django_capture_on_commit_callbacks):
    Preference.objects.create(user=alice, kind=Kind.POST_COMMENTED, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        comments.add_comment(actor=rita, post=post, body="Ready when you are")
    assert notification_services.flush(user_id=alice.pk) == 0


def test_a_clients_comment_sends_the_post_commented_webhook(alice, post, rita_endpoint, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comments.add_comment(actor=alice, post=post, body="Love it")
    assert run_queued(DELIVER) == 1
    document = receiver.json()
    assert document["event"] == "post.commented"
    assert document["data"]["comment"]["body"] == "Love it"
    assert document["data"]["post"]["id"] == post.pk


def test_comments_by_api_and_their_scope(api, rita, rex, alice, post):
    answer = api(alice).post(f"/api/posts/{post.pk}/comments", {"body": "Nice"}, format="json")
    assert answer.status_code == 201 and answer.json()["author_role"] == "client"
    thread = api(rita).get(f"/api/posts/{post.pk}/comments").json()
    assert [e["body"] for e in thread] == ["Nice"]
    assert api(rex).get(f"/api/posts/{post.pk}/comments").status_code == 404
    assert api(rex).post(f"/api/posts/{post.pk}/comments", {"body": "Hi"}, format="json").status_code == 404
    empty = api(rita).post(f"/api/posts/{post.pk}/comments", {"body": "  "}, format="json")
    assert empty.status_code == 400 and empty.json()["success"] is False
