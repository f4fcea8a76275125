import zoneinfo

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import User


@extend_schema_field({"type": "string", "example": "Europe/Paris", "description": "An IANA time zone name."})
class TimeZoneField(serializers.ChoiceField):
    """An IANA time zone. Documented as a string: an enum of ~600 names helps nobody."""

    def __init__(self, **kwargs):
        super().__init__(choices=sorted(zoneinfo.available_timezones()), **kwargs)


class UserSerializer(serializers.ModelSerializer):
    """A person as staff see them. The password is write-only; the role is fixed once created."""

    id = serializers.CharField(read_only=True)
    time_zone = TimeZoneField(required=False)
    password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        style={"input_type": "password"},
        max_length=128,
        help_text="Optional: without one the person cannot log in until a password is set.",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "time_zone",
            "is_active",
            "date_joined",
            "password",
        ]
        read_only_fields = ["date_joined"]
        extra_kwargs = {"email": {"required": True, "allow_blank": False}, "role": {"required": True}}


class UserUpdateSerializer(UserSerializer):
    class Meta(UserSerializer.Meta):
        fields = [f for f in UserSerializer.Meta.fields if f != "password"]
        read_only_fields = ["username", "role", "date_joined"]


class MeSerializer(serializers.ModelSerializer):
    id = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "role", "time_zone"]
        read_only_fields = fields
