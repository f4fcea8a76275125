"""What an event says, as plain JSON: the same dict goes into the email queue and the webhook body.

Built once, when the event happens, so an email sent a minute later still shows the feedback or
error of that moment. Nothing secret and no email addresses go in here.
"""

from django.conf import settings
from django.urls import reverse


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def post_url(post_id: int) -> str:
    # The post page (/posts/<id>/) lives in the pages app; it is addressed by path, not by name.
    return absolute(f"/posts/{post_id}/")


def settings_url() -> str:
    return absolute(reverse("notifications:settings"))


def excerpt(text: str, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def post_payload(post, *, review=None, with_channels: bool = False) -> dict:
    task = post.task
    data = {
        "post": {
            "id": post.pk,
            "url": post_url(post.pk),
            "excerpt": excerpt(post.full_text) or "(media only)",
            "status": post.get_status_display(),
            "client": task.user.username,
            # A client's own direct publish (POST /socials/publish/twitter) has a task without a reseller.
            "reseller": task.reseller.username if task.reseller_id else None,
            "task": task.title,
            "schedule_at": post.schedule_at.isoformat() if post.schedule_at else None,
        }
    }
    if review is not None:
        data["review"] = {
            "action": "approved" if review.action == review.Action.APPROVE else "rejected",
            "feedback": review.feedback,
            "by": review.actor.username,
            "staff": review.actor.is_platform_staff,
        }
    if with_channels:
        data["channels"] = [
            {
                "account": str(channel.account),
                "state": channel.public_state,
                "url": channel.remote_url,
                "error": channel.last_error,
            }
            for channel in _channels(post)
        ]
    return data


def account_payload(account) -> dict:
    return {
        "account": {
            "id": account.pk,
            "username": account.username,
            "name": str(account),
            "client": account.user.username,
            "message": account.state_message,
        },
        "reconnect_url": absolute(reverse("socials:accounts")),
    }


def access_ending_payload(accounts, ends_at) -> dict:
    """One token ending: the accounts using it (a LinkedIn member and its pages) and when."""
    first = accounts[0]
    return {
        "accounts": [{"id": a.pk, "name": str(a), "network": a.platform_label} for a in accounts],
        "client": first.user.username,
        "ends_at": ends_at.isoformat(),
        "ends_on": f"{ends_at:%d %B %Y}",
        "network_note": "LinkedIn's access lasts 60 days and only you can renew it",
        "reconnect_url": absolute(first.reconnect_url or reverse("socials:accounts")),
    }


def _channels(post):
    """The post's channels with their accounts: those prefetched with it when the caller kept
    them current (posts.publishing.settle does), else read now."""
    prefetched = getattr(post, "_prefetched_objects_cache", {}).get("channels")
    if prefetched is not None:
        return sorted(prefetched, key=lambda channel: channel.pk)
    return post.channels.select_related("account").order_by("pk")


def comment_payload(post, comment) -> dict:
    author = comment.author
    return {
        **post_payload(post),
        "comment": {
            "id": comment.pk,
            "by": author.get_full_name() or author.username,
            "role": author.role,
            "body": comment.body,
            "via_review_link": comment.link_id is not None,
            "created_at": comment.created_at.isoformat(),
        },
    }
