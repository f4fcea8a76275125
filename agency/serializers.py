from rest_framework import serializers

from .models import Invitation


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation as its reseller (or staff) sees it. The link itself is only ever emailed."""

    id = serializers.CharField(read_only=True)
    reseller = serializers.CharField(source="reseller_id", read_only=True)
    client = serializers.CharField(source="client_id", read_only=True, allow_null=True)
    task = serializers.CharField(source="task_id", read_only=True, allow_null=True)
    state = serializers.ChoiceField(choices=Invitation.State.choices, read_only=True)
    task_title = serializers.CharField(
        max_length=200, required=False, allow_blank=True,
        help_text="The title of the task created for the client (default: \"Social media\").",
    )

    class Meta:
        model = Invitation
        fields = [
            "id", "email", "name", "task_title", "state", "reseller", "client", "task",
            "created_at", "sent_at", "send_count", "expires_at", "accepted_at", "revoked_at",
        ]
        read_only_fields = [
            "created_at", "sent_at", "send_count", "expires_at", "accepted_at", "revoked_at",
        ]
