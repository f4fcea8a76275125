"""Resellers invite their clients. One place per action: invite, resend, revoke, accept.

The emailed link carries `signing.dumps([id, nonce])`: Django's signature (SECRET_KEY, with a
salt of its own) and timestamp. It is good once (accepting closes the invitation), for
INVITATION_MAX_AGE_DAYS, and only while the invitation still has that nonce (a resend draws a new
one, so an older email's link stops working). Accepting creates the client and the task linking
them to the reseller in one transaction.
"""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from posts.models import TaskAssign
from socialhub.errors import InvalidState, NotAllowed

from .models import Invitation, new_nonce

log = logging.getLogger(__name__)

SALT = "agency.invitation"
DEFAULT_TASK_TITLE = "Social media"


class InvalidLink(Exception):
    """The link is forged, expired, used, revoked or replaced by a newer one. The message says which."""


def max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def token_for(invitation: Invitation) -> str:
    return signing.dumps([invitation.pk, invitation.nonce], salt=SALT, compress=True)


def accept_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("agency:accept", args=[token_for(invitation)])


def _send(invitation: Invitation) -> None:
    """Email the link (after commit, so a rolled-back invitation never mails a dead link)."""
    context = {"invitation": invitation, "url": accept_url(invitation), "reseller": invitation.reseller,
               "days": settings.INVITATION_MAX_AGE_DAYS}
    subject = f"{invitation.reseller.get_full_name() or invitation.reseller.username} invites you to SocialHub"
    body = render_to_string("agency/invitation_email.txt", context)
    recipient = invitation.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))


def _check_reseller(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_reseller):
        raise NotAllowed("Only resellers invite clients.")


@transaction.atomic
def invite_client(*, actor: User, email: str, name: str = "", task_title: str = "") -> Invitation:
    """A reseller invites a client by email. Raises NotAllowed or ValidationError."""
    _check_reseller(actor)
    email = User.objects.normalize_email((email or "").strip())
    if not email:
        raise ValidationError({"email": ["Give the client's email address."]})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [
            "This address already belongs to a SocialHub account. Ask staff to link that client to you."
        ]})
    if Invitation.objects.open().filter(reseller=actor, email__iexact=email).exists():
        raise ValidationError({"email": ["You have already invited this address; resend that invitation instead."]})
    now = timezone.now()
    invitation = Invitation.objects.create(
        email=email,
        name=(name or "").strip(),
        task_title=(task_title or "").strip() or DEFAULT_TASK_TITLE,
        reseller=actor,
        expires_at=now + max_age(),
        sent_at=now,
        send_count=1,
    )
    _send(invitation)
    log.info("Invitation %s sent by reseller %s", invitation.pk, actor.pk)
    return invitation


def _own(actor: User, invitation: Invitation) -> None:
    if not Invitation.objects.for_user(actor).filter(pk=invitation.pk).exists():
        raise NotAllowed("Not your invitation.")


@transaction.atomic
def resend_invitation(*, actor: User, invitation: Invitation) -> Invitation:
    """Email a new link, valid for another 7 days; the previous link stops working.
    Raises NotAllowed or InvalidState (accepted or revoked)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _own(actor, invitation)
    if not invitation.can_resend:
        raise InvalidState(f"This invitation is {invitation.get_state_display().lower()}; it cannot be resent.")
    now = timezone.now()
    invitation.nonce = new_nonce()
    invitation.expires_at = now + max_age()
    invitation.sent_at = now
    invitation.send_count += 1
    invitation.save(update_fields=["nonce", "expires_at", "sent_at", "send_count"])
    _send(invitation)
    log.info("Invitation %s resent by %s", invitation.pk, actor.pk)
    return invitation


@transaction.atomic
def revoke_invitation(*, actor: User, invitation: Invitation) -> Invitation:
    """Its link stops working. Raises NotAllowed or InvalidState (already accepted or revoked)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _own(actor, invitation)
    if invitation.accepted_at or invitation.revoked_at:
        raise InvalidState(f"This invitation is already {invitation.get_state_display().lower()}.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    log.info("Invitation %s revoked by %s", invitation.pk, actor.pk)
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The open invitation a link stands for. Raises InvalidLink saying why it cannot be used."""
    try:
        pk, nonce = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired:
        raise InvalidLink("This invitation link has expired. Ask your agency to send a new one.") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidLink("This invitation link is not valid. Check that you copied all of it.") from None
    invitation = Invitation.objects.select_related("reseller").filter(pk=pk).first()
    if invitation is None or invitation.state == Invitation.State.REVOKED:
        raise InvalidLink("This invitation has been withdrawn. Ask your agency for a new one.")
    if invitation.state == Invitation.State.ACCEPTED:
        raise InvalidLink("This invitation has already been used. Log in with the password you chose.")
    if invitation.nonce != nonce:
        raise InvalidLink("A newer invitation was sent to you; use the link in the latest email.")
    if invitation.state == Invitation.State.EXPIRED:
        raise InvalidLink("This invitation link has expired. Ask your agency to send a new one.")
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, username: str, password: str) -> User:
    """Create the client with this password and the task linking them to the reseller.

    Raises InvalidLink or ValidationError.
    """
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:  # accepted by a concurrent request meanwhile
        raise InvalidLink("This invitation has already been used. Log in with the password you chose.")
    username = (username or "").strip()
    problems = {}
    if not username:
        problems["username"] = ["Choose a username."]
    elif User.objects.filter(username__iexact=username).exists():
        problems["username"] = ["This username is taken; choose another."]
    else:
        try:
            User.username_validator(username)
        except ValidationError as exc:
            problems["username"] = exc.messages
    first, _, last = invitation.name.partition(" ")
    client = User(username=username, email=invitation.email, role=User.Role.CLIENT, first_name=first, last_name=last)
    try:
        validate_password(password or "", client)
    except ValidationError as exc:
        problems["password1"] = exc.messages
    if problems:
        raise ValidationError(problems)
    client.set_password(password)
    client.save()
    task = TaskAssign.objects.create(user=client, reseller=invitation.reseller, title=invitation.task_title)
    invitation.accepted_at = timezone.now()
    invitation.client, invitation.task = client, task
    invitation.save(update_fields=["accepted_at", "client", "task"])
    log.info("Invitation %s accepted: client %s, task %s", invitation.pk, client.pk, task.pk)
    return client
