"""Every endpoint for reseller (rita), other reseller (rex), client (alice), other client (bob),
staff (sam), a client with nothing (mallory) and anonymous.

An object outside a person's scope, or one they may not act on, answers 404; an endpoint their role
may not use answers 403; no credentials answer 401.
"""

import pytest

from content_templates.services import create_template
from posts.models import Post, PostChannel, TaskAssign

PEOPLE = ["rita", "rex", "alice", "bob", "sam", "mallory", "anonymous"]


def expect(**statuses):
    """Expected status per person: `others` covers the ones not named; anonymous is always 401."""
    others = statuses.pop("others")
    return {who: statuses.get(who, others) if who != "anonymous" else 401 for who in PEOPLE}


@pytest.fixture
def world(people, task, bob_task, alice, bob, rita, alice_account, bob_account, make_post):
    post = make_post()
    template = create_template(actor=rita, name="Rita's own", text="Hi {client_name}")
    shared = create_template(actor=people["sam"], name="Shared", text="{task_title}")
    return {"post": post, "task": task, "alice": alice, "account": alice_account, "template": template,
            "shared": shared}


def failed(post):
    Post.objects.filter(pk=post.pk).update(status=Post.Status.FAILED)
    PostChannel.objects.filter(post=post).update(state=PostChannel.State.FAILED, last_error="X said no")
    return post


def create_body(w):
    return {"content": "Hello", "post_channels": [{"channel_id": str(w["account"].pk)}]}


ENDPOINTS = {
    "create post for user": (
        lambda w: ("post", f"/post/for-user/{w['alice'].pk}/{w['task'].pk}", create_body(w)),
        expect(rita=201, sam=201, others=404),
    ),
    "review post": (
        lambda w: ("patch", f"/post/{w['post'].pk}/review", {"action": 1, "version": 1}),
        expect(alice=200, sam=200, others=404),  # rita wrote it: she never reviews it
    ),
    "list posts": (lambda w: ("get", "/api/posts", None), expect(others=200)),
    "retrieve post": (
        lambda w: ("get", f"/api/posts/{w['post'].pk}", None),
        expect(rita=200, alice=200, sam=200, others=404),
    ),
    "edit post": (
        lambda w: ("patch", f"/api/posts/{w['post'].pk}", {"content": "Edited"}),
        expect(rita=200, sam=200, others=404),
    ),
    "delete post": (
        lambda w: ("delete", f"/api/posts/{w['post'].pk}", None),
        expect(rita=204, sam=204, others=404),
    ),
    "retry post": (
        lambda w: ("post", f"/api/posts/{failed(w['post']).pk}/retry", None),
        expect(alice=200, sam=200, others=404),
    ),
    "review history": (
        lambda w: ("get", f"/api/posts/{w['post'].pk}/reviews", None),
        expect(rita=200, alice=200, sam=200, others=404),
    ),
    "list users": (lambda w: ("get", "/api/users", None), expect(sam=200, others=403)),
    "create user": (
        lambda w: ("post", "/api/users", {"username": "carol", "email": "c@example.com", "role": "client"}),
        expect(sam=201, others=403),
    ),
    "retrieve user": (lambda w: ("get", f"/api/users/{w['alice'].pk}", None), expect(sam=200, others=403)),
    "edit user": (
        lambda w: ("patch", f"/api/users/{w['alice'].pk}", {"first_name": "Alice"}),
        expect(sam=200, others=403),
    ),
    "who am I": (lambda w: ("get", "/api/users/me", None), expect(others=200)),
    "list tasks": (lambda w: ("get", "/api/tasks", None), expect(others=200)),
    "retrieve task": (
        lambda w: ("get", f"/api/tasks/{w['task'].pk}", None),
        expect(rita=200, alice=200, sam=200, others=404),
    ),
    "create task": (
        lambda w: ("post", "/api/tasks", {"user": str(w["alice"].pk), "reseller": str(w["task"].reseller_id), "title": "More"}),
        expect(sam=201, rita=201, rex=404, others=403),
    ),
    "edit task": (
        lambda w: ("patch", f"/api/tasks/{w['task'].pk}", {"title": "Renamed"}),
        expect(sam=200, rita=200, rex=404, others=403),
    ),
    "delete task": (
        lambda w: (
            "delete",
            f"/api/tasks/{TaskAssign.objects.create(user=w['alice'], reseller=w['task'].reseller, title='Empty').pk}",
            None,
        ),
        expect(sam=204, others=403),
    ),
    "list templates": (lambda w: ("get", "/api/templates", None), expect(others=200)),
    "create template": (
        lambda w: ("post", "/api/templates", {"name": "New", "text": "Hello {client_name}"}),
        expect(rita=201, rex=201, sam=201, others=403),
    ),
    "retrieve template": (
        lambda w: ("get", f"/api/templates/{w['template'].pk}", None),
        expect(rita=200, sam=200, others=404),  # staff see every template; rex not rita's own
    ),
    "retrieve shared template": (
        lambda w: ("get", f"/api/templates/{w['shared'].pk}", None),
        expect(rita=200, rex=200, sam=200, others=404),
    ),
    "edit template": (
        lambda w: ("patch", f"/api/templates/{w['template'].pk}", {"name": "Renamed"}),
        expect(rita=200, sam=403, rex=404, others=403),  # clients may not write templates at all
    ),
    "edit shared template": (
        lambda w: ("patch", f"/api/templates/{w['shared'].pk}", {"name": "Renamed"}),
        expect(sam=200, others=403),
    ),
    "delete template": (
        lambda w: ("delete", f"/api/templates/{w['template'].pk}", None),
        expect(rita=204, sam=403, rex=404, others=403),
    ),
    "delete shared template": (
        lambda w: ("delete", f"/api/templates/{w['shared'].pk}", None),
        expect(sam=204, others=403),
    ),
    "render template": (
        lambda w: ("post", f"/api/templates/{w['template'].pk}/render", {"task": str(w["task"].pk)}),
        expect(rita=200, sam=200, rex=404, others=403),
    ),
}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_permission_matrix(api, people, world, endpoint, who):
    request, expected = ENDPOINTS[endpoint]
    method, url, body = request(world)
    response = getattr(api(people[who]), method)(url, body, format="json")
    assert response.status_code == expected[who], response.content
    if response.status_code >= 400:
        assert response.json()["success"] is False


VISIBLE_POSTS = {"rita": True, "rex": False, "alice": True, "bob": False, "sam": True, "mallory": False}
VISIBLE_TASKS = {
    "rita": {"task"}, "rex": {"bob_task"}, "alice": {"task"}, "bob": {"bob_task"},
    "sam": {"task", "bob_task"}, "mallory": set(),
}


@pytest.mark.parametrize("who", VISIBLE_POSTS)
def test_post_lists_are_scoped(api, people, world, who):
    ids = [p["id"] for p in api(people[who]).get("/api/posts").json()["results"]]
    assert ids == ([str(world["post"].pk)] if VISIBLE_POSTS[who] else [])


@pytest.mark.parametrize("who", VISIBLE_TASKS)
def test_task_lists_are_scoped(api, people, world, task, bob_task, who):
    names = {str(task.pk): "task", str(bob_task.pk): "bob_task"}
    ids = {names[t["id"]] for t in api(people[who]).get("/api/tasks").json()["results"]}
    assert ids == VISIBLE_TASKS[who]


def test_a_client_sees_only_their_own_post_filtered_by_another_client(api, alice, bob, world):
    response = api(bob).get(f"/api/posts?client={alice.pk}")
    assert response.json()["results"] == []
