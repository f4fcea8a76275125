"""Resellers invite clients: the email, the single-use link, the client's first login."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from agency import invitations
from agency.models import Invitation
from posts.models import TaskAssign


def link_in(message) -> str:
    return re.search(r"https?://\S+/agency/invitations/accept/\S+/", message.body).group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture
def invitation(rita, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return invitations.invite_client(actor=rita, email="carol@example.com", name="Carol Jones", task_title="Bakery")


def test_inviting_emails_a_link_that_works_for_seven_days(invitation):
    (message,) = mail.outbox
    assert message.to == ["carol@example.com"]
    assert "7 days" in message.body
    assert invitation.expires_at - timezone.now() > dt.timedelta(days=6, hours=23)
    assert invitations.invitation_for_token(link_in(message).rstrip("/").rsplit("/", 1)[1]) == invitation


def test_accepting_creates_the_client_with_a_task_for_the_reseller_and_lands_on_connect(client, invitation, rita):
    url = path_of(link_in(mail.outbox[0]))
    page = client.get(url)
    assert "Join SocialHub" in page.content.decode()
    answer = client.post(url, {"username": "carol", "password1": "correct-horse-9", "password2": "correct-horse-9"}, follow=True)
    assert answer.redirect_chain[-1][0] == "/socials/accounts/"
    assert "Connect your X account" in answer.content.decode()
    carol = User.objects.get(username="carol")
    assert carol.is_client and carol.email == "carol@example.com" and carol.first_name == "Carol"
    assert TaskAssign.objects.filter(user=carol, reseller=rita, title="Bakery").exists()
    assert client.get(url).status_code == 410  # single use
    assert "already been used" in client.get(url).content.decode()


def test_a_weak_password_is_refused_next_to_the_field(client, invitation):
    url = path_of(link_in(mail.outbox[0]))
    answer = client.post(url, {"username": "carol", "password1": "123", "password2": "123"})
    assert answer.status_code == 400
    assert "too short" in answer.content.decode()
    assert not User.objects.filter(username="carol").exists()


def test_an_expired_link_is_refused(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    answer = client.get(path_of(link_in(mail.outbox[0])))
    assert answer.status_code == 410 and "expired" in answer.content.decode()


def test_a_tampered_link_is_refused(client, invitation):
    answer = client.get(path_of(link_in(mail.outbox[0])).replace("/accept/", "/accept/x"))
    assert answer.status_code == 410 and "not valid" in answer.content.decode()


def test_resending_replaces_the_link_and_revoking_closes_it(client, invitation, rita, django_capture_on_commit_callbacks):
    first = path_of(link_in(mail.outbox[0]))
    with django_capture_on_commit_callbacks(execute=True):
        invitations.resend_invitation(actor=rita, invitation=invitation)
    second = path_of(link_in(mail.outbox[1]))
    assert "newer invitation" in client.get(first).content.decode()
    assert client.get(second).status_code == 200
    invitations.revoke_invitation(actor=rita, invitation=invitation)
    assert "withdrawn" in client.get(second).content.decode()


def test_an_address_that_already_has_an_account_is_refused(rita, alice):
    with pytest.raises(invitations.ValidationError) as caught:
        invitations.invite_client(actor=rita, email="ALICE@example.com")
    assert "already belongs" in str(caught.value)


def test_the_invite_page_sends_and_lists_the_invitation(client, rita):
    client.force_login(rita)
    answer = client.post("/agency/invitations/new/", {"email": "dan@example.com", "task_title": ""}, follow=True)
    assert "Invitation sent to dan@example.com" in answer.content.decode()
    assert "Social media" in answer.content.decode()  # the default task title


def test_the_invite_page_shows_errors_next_to_the_field(client, rita):
    client.force_login(rita)
    answer = client.post("/agency/invitations/new/", {"email": "not-an-email"})
    assert answer.status_code == 400 and "valid email" in answer.content.decode()


def test_staff_see_every_invitation_and_other_resellers_none(client, invitation, sam, rex):
    client.force_login(sam)
    assert "carol@example.com" in client.get("/agency/invitations/").content.decode()
    client.force_login(rex)
    assert "carol@example.com" not in client.get("/agency/invitations/").content.decode()
    assert client.post(f"/agency/invitations/{invitation.pk}/revoke/").status_code == 404


def test_staff_see_invitations_in_the_admin_without_the_link(client, invitation, sam):
    client.force_login(sam)
    page = client.get(f"/admin/agency/invitation/{invitation.pk}/change/").content.decode()
    assert "carol@example.com" in page and invitation.nonce not in page


def test_the_login_page_asks_for_an_invitation_not_a_sign_up(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "ask them for an invitation" in page
    assert "/accounts/signup/" not in page


def test_a_reseller_adds_and_renames_a_task_for_their_own_client(client, rita, alice, task):
    client.force_login(rita)
    client.post("/agency/tasks/new/", {"user": alice.pk, "title": "Summer", "brief": "", "approval_policy": "client"})
    summer = TaskAssign.objects.get(title="Summer")
    assert summer.reseller == rita and summer.user == alice
    client.post(f"/agency/tasks/{summer.pk}/", {"title": "Summer sale", "brief": "Deals", "approval_policy": "two_steps"})
    summer.refresh_from_db()
    assert summer.title == "Summer sale" and summer.approval_policy == "two_steps"


def test_a_reseller_cannot_add_a_task_for_another_resellers_client(client, rita, bob, bob_task):
    client.force_login(rita)
    answer = client.post("/agency/tasks/new/", {"user": bob.pk, "title": "Poach"})
    assert answer.status_code == 400
    assert not TaskAssign.objects.filter(title="Poach").exists()
    assert client.get(f"/agency/tasks/{bob_task.pk}/").status_code == 404
