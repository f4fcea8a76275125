"""Actions on people. Staff create resellers, clients and other staff (in the admin or the REST API)."""

import logging

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .models import User

log = logging.getLogger(__name__)


@transaction.atomic
def create_user(
    *,
    actor: User,
    username: str,
    email: str,
    role: str,
    password: str = "",
    first_name: str = "",
    last_name: str = "",
    time_zone: str = "UTC",
    is_active: bool = True,
) -> User:
    """Create a person with one role. Without a password they cannot log in until one is set.

    Raises PermissionDenied (not staff) or ValidationError.
    """
    if not (actor.is_authenticated and actor.is_platform_staff):
        raise PermissionDenied("Only staff create users.")
    if role not in User.Role.values:
        raise ValidationError({"role": [f"Pick one of: {', '.join(User.Role.values)}."]})
    user = User(
        username=username,
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        time_zone=time_zone,
        is_active=is_active,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    log.info("User %s (%s) created by %s", user.pk, role, actor.pk)
    return user
