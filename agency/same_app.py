"""Same text on many accounts under one X app.

X's automation rules do not allow one app to post identical content to several accounts. A post
goes out with the same text on each of its channels, so when two or more of its accounts sign with
the same X app (the platform's, or one client app), only the first of them posts; the others are
held with the reason. An account that reconnects through its own app is released (its held
channels are queued again, socials.services.connect_account). The composer warns beforehand.
"""

from posts.models import PostChannel
from socials.error_kinds import ErrorKind

HELD_KIND = ErrorKind.SAME_APP
PLATFORM = "platform"


def app_key(account) -> str:
    """Which X app an account's calls are signed with. Another network's account has none: X's rule
    does not apply to it, so it shares nothing with any other account."""
    if account.provider != "twitter":
        return f"{account.provider}:{account.pk}"
    if account.token_type == account.TokenType.OAUTH1 and account.oauth1_consumer_key:
        return f"oauth1:{account.oauth1_consumer_key}"
    if account.token_type == account.TokenType.OAUTH2_USER and account.oauth2_client_id:
        return f"oauth2:{account.oauth2_client_id}"
    return PLATFORM


def held_message(account, first) -> str:
    return (
        f"Held: X does not allow one app to post the same text to several accounts, and {account} "
        f"shares its X app with {first}, which posts it. Connect {account} through its own X app "
        "(the client's X app page) and this post goes on."
    )


def shared_app_holds(post) -> list[tuple[PostChannel, str]]:
    """The post's channels to hold, each with why: every one but the first among those sharing an
    X app (posts.publishing holds them)."""
    first_by_app, holds = {}, []
    channels = post.channels.exclude(state__in=[PostChannel.State.PUBLISHED, PostChannel.State.HELD])
    for channel in channels.select_related("account").order_by("account_id"):  # the oldest account posts
        first = first_by_app.setdefault(app_key(channel.account), channel.account)
        if first is not channel.account:
            holds.append((channel, held_message(channel.account, first)))
    return holds
