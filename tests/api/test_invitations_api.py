"""The invitation and task endpoints' scope: another reseller's answer 404."""

import pytest
from django.core import mail

from agency import invitations
from posts.models import TaskAssign


@pytest.fixture
def rex_invitation(rex):
    return invitations.invite_client(actor=rex, email="zoe@example.com")


def test_a_reseller_invites_by_api(api, rita, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(rita).post("/api/invitations", {"email": "carol@example.com", "task_title": "Bakery"}, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["state"] == "pending" and body["reseller"] == str(rita.pk) and body["task_title"] == "Bakery"
    assert "nonce" not in body and "token" not in body
    assert mail.outbox[0].to == ["carol@example.com"]


def test_clients_and_staff_cannot_invite(api, alice, sam):
    for person in (alice, sam):
        answer = api(person).post("/api/invitations", {"email": "x@example.com"}, format="json")
        assert answer.status_code == 403
        assert answer.json()["success"] is False


def test_a_bad_email_is_a_field_error(api, rita):
    answer = api(rita).post("/api/invitations", {"email": "nope"}, format="json")
    assert answer.status_code == 400 and "email" in answer.json()["details"]


@pytest.mark.parametrize("how", ["get", "resend", "revoke"])
def test_another_resellers_invitation_answers_404(api, rita, rex_invitation, how):
    base = f"/api/invitations/{rex_invitation.pk}"
    answer = api(rita).get(base) if how == "get" else api(rita).post(f"{base}/{how}")
    assert answer.status_code == 404


def test_resellers_list_their_own_and_staff_all(api, rita, sam, rex_invitation):
    invitations.invite_client(actor=rita, email="carol@example.com")
    mine = [row["email"] for row in api(rita).get("/api/invitations").json()["results"]]
    every = [row["email"] for row in api(sam).get("/api/invitations").json()["results"]]
    assert mine == ["carol@example.com"]
    assert sorted(every) == ["carol@example.com", "zoe@example.com"]


def test_resend_and_revoke(api, rex, rex_invitation):
    assert api(rex).post(f"/api/invitations/{rex_invitation.pk}/resend").json()["send_count"] == 2
    assert api(rex).post(f"/api/invitations/{rex_invitation.pk}/revoke").json()["state"] == "revoked"
    answer = api(rex).post(f"/api/invitations/{rex_invitation.pk}/resend")
    assert answer.status_code == 409 and "revoked" in answer.json()["message"]


def test_a_reseller_creates_a_task_for_their_client_by_api(api, rita, alice, task):
    answer = api(rita).post("/api/tasks", {"user": str(alice.pk), "title": "Summer"}, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["reseller"] == str(rita.pk)


@pytest.mark.parametrize("client_id", ["bob", "mallory", "999999"])
def test_a_task_for_someone_not_your_client_answers_404(api, people, task, client_id):
    target = str(people[client_id].pk) if client_id in people else client_id
    answer = api(people["rita"]).post("/api/tasks", {"user": target, "title": "Poach"}, format="json")
    assert answer.status_code == 404
    assert not TaskAssign.objects.filter(title="Poach").exists()


def test_a_reseller_renames_their_task_but_not_its_people(api, rita, bob, task):
    assert api(rita).patch(f"/api/tasks/{task.pk}", {"title": "Renamed"}, format="json").status_code == 200
    answer = api(rita).patch(f"/api/tasks/{task.pk}", {"title": "Taken", "user": str(bob.pk)}, format="json")
    assert answer.status_code == 403 and "Only staff" in answer.json()["message"]
    task.refresh_from_db()
    assert task.title == "Renamed" and task.user.username == "alice"


def test_renaming_another_resellers_task_answers_404(api, rita, bob_task):
    assert api(rita).patch(f"/api/tasks/{bob_task.pk}", {"title": "Mine"}, format="json").status_code == 404


def test_resellers_still_cannot_delete_tasks(api, rita, task):
    assert api(rita).delete(f"/api/tasks/{task.pk}").status_code == 403


def test_a_reseller_makes_and_revokes_a_review_link_by_api(api, rita, make_post):
    post = make_post()
    answer = api(rita).post("/api/review-links", {"posts": [str(post.pk)]}, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["posts"] == [str(post.pk)] and "/agency/review/" in body["url"]
    revoked = api(rita).post(f"/api/review-links/{body['id']}/revoke").json()
    assert revoked["state"] == "Revoked" and revoked["url"] == ""


def test_review_links_of_another_resellers_posts_answer_404(api, rex, rita, make_post):
    post = make_post()
    assert api(rex).post("/api/review-links", {"posts": [str(post.pk)]}, format="json").status_code == 404
    link = api(rita).post("/api/review-links", {"posts": [str(post.pk)]}, format="json").json()
    assert api(rex).post(f"/api/review-links/{link['id']}/revoke").status_code == 404
    assert api(rex).get("/api/review-links").json() == []
