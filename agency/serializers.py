from rest_framework import serializers

from .models import MAX_COMMENT_LENGTH, Invitation, ReviewLink


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


class ReviewLinkInputSerializer(serializers.Serializer):
    posts = serializers.ListField(
        child=serializers.CharField(), min_length=1, max_length=100,
        help_text="Ids of pending posts, all for one client.",
    )


class ReviewLinkSerializer(serializers.ModelSerializer):
    id = serializers.CharField(read_only=True)
    task = serializers.CharField(source="task_id", read_only=True)
    posts = serializers.SerializerMethodField()
    state = serializers.CharField(source="state_label", read_only=True)
    url = serializers.SerializerMethodField(help_text="The link to send the client; empty once revoked or expired.")

    class Meta:
        model = ReviewLink
        fields = ["id", "task", "posts", "state", "url", "created_at", "expires_at", "revoked_at"]
        read_only_fields = fields

    def get_posts(self, link) -> list[str]:
        return [str(post.pk) for post in link.posts.all()]

    def get_url(self, link) -> str:
        from .review_links import url_for

        return url_for(link) if link.is_usable else ""


class ThreadEntrySerializer(serializers.Serializer):
    """One entry of a post's thread: a comment, or the feedback of a rejection."""

    id = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=["comment", "rejection"], read_only=True)
    author = serializers.CharField(source="author.pk", read_only=True)
    author_username = serializers.CharField(source="author.username", read_only=True)
    author_role = serializers.CharField(source="author.role", read_only=True)
    body = serializers.CharField(read_only=True, help_text="Plain text, as written: escape it when you show it.")
    via_link = serializers.BooleanField(read_only=True, help_text="Written on a review link's page.")
    created_at = serializers.DateTimeField(read_only=True)


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_COMMENT_LENGTH, help_text="Plain text.")
