"""One LinkedIn token, several accounts: a member's profile and each organization page they
connected post with the same member token (LinkedIn gives pages no token of their own). So:
reconnecting the member renews every page's copy, and a token that stops working or ends after its
60 days makes all of them "reconnect needed" at once."""

from __future__ import annotations

from socials import services
from socials.account_state import mark_reconnect_needed
from socials.models import Account
from socials.publishers import PublishError

from ..models import LinkedInPage
from .client import Page


def administrator(account: Account) -> Account:
    """The member account whose token this one uses (itself for a member)."""
    link = LinkedInPage.objects.filter(account=account).select_related("administrator").first()
    return link.administrator if link else account


def sharing_token(account: Account) -> list[Account]:
    """The member and the pages that use its token (disconnected ones left out)."""
    member = administrator(account)
    group = [member, *Account.objects.filter(linkedin_page__administrator=member).order_by("pk")]
    return [a for a in group if a.state != Account.State.DISCONNECTED]


def reconnect(account: Account | None, message: str) -> PublishError:
    """The token stopped working: every account using it shows "reconnect needed"."""
    if account is not None and account.pk:
        for each in sharing_token(account) or [account]:
            mark_reconnect_needed(each, message)
        account.state, account.state_message = Account.State.RECONNECT_NEEDED, message[:255]
    return PublishError("auth", message, permanent=True)


def connect_page(member: Account, page: Page) -> services.Connected:
    """Save a page the member administers as its own account (author urn:li:organization:<id>),
    with a copy of the member's token, encrypted like every token. Raises ValidationError."""
    result = services.connect_account(
        user=member.user, provider="linkedin", provider_account_id=page.urn, username=page.vanity or page.id,
        name=page.name, token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token=member.oauth2_access_token,
        expires_at=member.expires_at, scope=member.scope,
    )
    LinkedInPage.objects.update_or_create(account=result.account, defaults={"administrator": member})
    return result


def renew_pages(member: Account) -> list[Account]:
    """After the member reconnected: each connected page takes the new token (and posts held for it
    are released, as for any reconnect). Returns the pages renewed."""
    pages = Account.objects.filter(linkedin_page__administrator=member).exclude(state=Account.State.DISCONNECTED)
    return [connect_page(member, Page(id=p.provider_account_id.rsplit(":", 1)[1], name=p.name, vanity=p.username)).account
            for p in pages.order_by("pk")]


def is_page(account: Account) -> bool:
    return account.provider_account_id.startswith("urn:li:organization:")
