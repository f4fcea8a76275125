import zoneinfo

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class UserQuerySet(models.QuerySet):
    def clients(self):
        return self.filter(role=User.Role.CLIENT)

    def resellers(self):
        return self.filter(role=User.Role.RESELLER)

    def clients_of(self, reseller: "User"):
        """The clients a reseller has at least one task with."""
        return self.clients().filter(tasks__reseller=reseller).distinct()


class SocialHubUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person with exactly one role."""

    class Role(models.TextChoices):
        STAFF = "staff", "Staff"
        RESELLER = "reseller", "Reseller"
        CLIENT = "client", "Client"

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLIENT)
    time_zone = models.CharField(max_length=64, default="UTC", choices=_time_zone_choices)

    objects = SocialHubUserManager()

    class Meta:
        constraints = [
            # Django's is_staff (admin access) and our role say the same thing.
            models.CheckConstraint(
                condition=Q(role="staff", is_staff=True) | (~Q(role="staff") & Q(is_staff=False)),
                name="user_is_staff_matches_role",
            )
        ]

    def save(self, *args, **kwargs):
        if self.is_superuser:
            self.role = self.Role.STAFF
        self.is_staff = self.role == self.Role.STAFF
        super().save(*args, **kwargs)

    @property
    def is_reseller(self) -> bool:
        return self.role == self.Role.RESELLER

    @property
    def is_client(self) -> bool:
        return self.role == self.Role.CLIENT

    @property
    def is_platform_staff(self) -> bool:
        return self.role == self.Role.STAFF
