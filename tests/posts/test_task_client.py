"""A task's client is fixed once it has posts: the posts publish to that client's X accounts and
that client reviews them, so moving the task would hand them to someone else."""

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from posts.models import TaskAssign
from posts.services import TASK_CLIENT_FIXED


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def test_staff_cannot_move_a_task_with_posts_to_another_client_through_the_api(sam, task, bob, alice, make_post):
    make_post()
    response = api(sam).patch(f"/api/tasks/{task.pk}", {"user": str(bob.pk)}, format="json")
    assert response.status_code == 400
    assert response.json()["details"]["user"] == [TASK_CLIENT_FIXED]
    task.refresh_from_db()
    assert task.user == alice


def test_a_task_without_posts_can_change_client_and_the_rest_still_changes(sam, task, bob):
    response = api(sam).patch(f"/api/tasks/{task.pk}", {"user": str(bob.pk), "title": "  New title "}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["user"], response.json()["title"]) == (str(bob.pk), "New title")


def test_a_task_with_posts_keeps_its_client_but_other_fields_change(sam, task, alice, make_post):
    make_post()
    response = api(sam).patch(f"/api/tasks/{task.pk}", {"user": str(alice.pk), "brief": "More tulips"}, format="json")
    assert response.status_code == 200 and response.json()["brief"] == "More tulips"


def test_only_staff_change_tasks(rita, task, bob):
    assert api(rita).patch(f"/api/tasks/{task.pk}", {"user": str(bob.pk)}, format="json").status_code == 403


def test_the_admin_change_form_refuses_another_client_for_a_task_with_posts(client, sam, task, bob, alice, make_post):
    make_post()
    client.force_login(sam)
    response = client.post(
        f"/admin/posts/taskassign/{task.pk}/change/",
        {"user": bob.pk, "reseller": task.reseller_id, "title": task.title, "brief": ""},
    )
    assert response.status_code == 200
    assert TASK_CLIENT_FIXED in response.content.decode().replace("&#x27;", "'")
    assert TaskAssign.objects.get(pk=task.pk).user == alice
