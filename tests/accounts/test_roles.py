import pytest
from django.db import IntegrityError

from accounts.models import User


def test_staff_role_gives_admin_access_and_others_do_not(sam, rita, alice):
    assert sam.is_staff and sam.is_platform_staff
    assert not rita.is_staff and rita.is_reseller
    assert not alice.is_staff and alice.is_client


def test_superuser_is_staff(db):
    root = User.objects.create_superuser("root", "root@example.com", "pw")
    assert root.role == User.Role.STAFF and root.is_staff


def test_database_refuses_a_client_with_admin_access(alice):
    with pytest.raises(IntegrityError):
        User.objects.filter(pk=alice.pk).update(is_staff=True)


def test_clients_of_a_reseller_are_those_with_a_task(task, bob_task, rita, alice):
    assert list(User.objects.clients_of(rita)) == [alice]
