"""Staff create people and assign resellers to clients over the API."""

import pytest

from accounts.models import User


@pytest.mark.parametrize("role", ["reseller", "client", "staff"])
def test_staff_create_people_of_every_role_who_can_then_log_in(api, sam, role):
    body = {"username": f"new-{role}", "email": f"{role}@example.com", "role": role, "password": "a-Long-pass-4-real"}
    response = api(sam).post("/api/users", body, format="json")
    assert response.status_code == 201, response.json()
    assert "password" not in response.json()
    user = User.objects.get(username=f"new-{role}")
    assert user.role == role and user.is_staff == (role == "staff")
    token = api().post("/api/auth/token", {"username": user.username, "password": "a-Long-pass-4-real"}, format="json")
    assert token.status_code == 200


def test_a_weak_password_is_a_field_error(api, sam):
    body = {"username": "weak", "email": "w@example.com", "role": "client", "password": "123"}
    response = api(sam).post("/api/users", body, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["details"]


def test_a_taken_username_is_a_field_error(api, sam, alice):
    response = api(sam).post("/api/users", {"username": "alice", "email": "a2@example.com", "role": "client"}, format="json")
    assert response.status_code == 400
    assert "username" in response.json()["details"]


def test_the_role_cannot_change_after_creation(api, sam, alice):
    response = api(sam).patch(f"/api/users/{alice.pk}", {"role": "staff", "time_zone": "Europe/Paris"}, format="json")
    assert response.status_code == 200
    alice.refresh_from_db()
    assert (alice.role, alice.time_zone) == ("client", "Europe/Paris")


def test_users_can_be_listed_by_role(api, sam, alice, rita, bob):
    usernames = [u["username"] for u in api(sam).get("/api/users?role=client").json()["results"]]
    assert usernames == ["alice", "bob"]


def test_staff_assign_a_reseller_to_a_client(api, sam, alice, rita):
    response = api(sam).post(
        "/api/tasks", {"user": str(alice.pk), "reseller": str(rita.pk), "title": "Summer", "brief": "Beach"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["user"] == str(alice.pk) and response.json()["reseller"] == str(rita.pk)
    assert alice.tasks.get().reseller == rita


def test_a_task_needs_a_client_and_a_reseller(api, sam, alice, rita):
    response = api(sam).post("/api/tasks", {"user": str(rita.pk), "reseller": str(alice.pk), "title": "Wrong"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["details"]) == {"user", "reseller"}


def test_a_task_with_posts_cannot_be_deleted(api, sam, task, make_post):
    make_post()
    response = api(sam).delete(f"/api/tasks/{task.pk}")
    assert response.status_code == 409


def test_everyone_can_read_who_they_are(api, rita):
    body = api(rita).get("/api/users/me").json()
    assert (body["id"], body["role"]) == (str(rita.pk), "reseller")
