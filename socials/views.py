"""The X accounts pages: a client connects, tests, reconnects and disconnects; a reseller looks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from allauth.socialaccount.adapter import get_adapter

from socialhub.errors import NotAllowed

from platforms.registry import connect_options as platform_connect_options
from platforms.x import accounts as x_accounts
from platforms.x.client import XError
from platforms.x.tokens import AccountUnusable

from . import services
from .models import Account

# (provider, button, the hint shown when a client has both buttons to choose from)
CONNECT_OPTIONS = [
    ("twitter_oauth2", "Connect X account",
     "Recommended: X's current way to connect (OAuth 2.0). Use this one unless your agency says otherwise."),
    ("twitter", "Connect with OAuth 1.0a",
     "Only if your agency asks for it: the older way, for X apps set up for OAuth 1.0a."),
]


def _account(user, pk) -> Account:
    """The one scoped way to load an account: 404 for anything the person may not see."""
    return get_object_or_404(Account.objects.for_user(user).select_related("user"), pk=pk)


def _connect_options(request) -> list[tuple[str, str, str]]:
    """The connect buttons whose X app is configured (TWITTER_CLIENT_ID / TWITTER_CONSUMER_KEY)."""
    adapter = get_adapter(request)
    return [option for option in CONNECT_OPTIONS if adapter.list_apps(request, provider=option[0])]


@login_required
def accounts(request):
    rows = Account.objects.for_user(request.user).select_related("user").order_by("user__username", "username", "pk")
    return render(request, "socials/accounts.html", {
        "accounts": [(a, services.can_manage(request.user, a)) for a in rows],
        "connect_options": _connect_options(request) if request.user.is_client else [],
        "platform_options": platform_connect_options() if request.user.is_client else [],
        "is_client": request.user.is_client,
    })


@login_required
def account_detail(request, pk):
    account = _account(request.user, pk)
    profile, tweets, problem = None, [], ""
    if account.state != Account.State.DISCONNECTED and account.provider == x_accounts.PROVIDER:
        try:
            profile = x_accounts.profile(account)
            tweets = x_accounts.recent_tweets(account)
        except (XError, AccountUnusable) as exc:
            problem = exc.user_message
        account.refresh_from_db()  # reading may have refreshed its token or found it broken
    return render(request, "socials/account_detail.html", {
        "account": account,
        "can_manage": services.can_manage(request.user, account),
        "is_client": request.user.is_client,
        "profile": profile,
        "tweets": tweets,
        "problem": problem,
    })


@login_required
@require_POST
def test_connection(request, pk):
    account = _account(request.user, pk)
    try:
        report = services.test_connection(actor=request.user, account=account)
    except NotAllowed:
        raise Http404("No account here.") from None
    level = messages.SUCCESS if report.works else messages.ERROR
    messages.add_message(request, level, report.summary())
    return redirect("socials:account", pk=account.pk)


@login_required
@require_POST
def disconnect(request, pk):
    account = _account(request.user, pk)
    try:
        result = services.disconnect_account(actor=request.user, account=account)
    except NotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("socials:accounts")
    where = result.account.platform_label
    text = f"Disconnected {where} account {result.account}: SocialHub no longer holds its tokens."
    if result.held:
        text += f" {result.held} waiting post(s) are held until you reconnect it."
    if result.revoked is False:
        text += f" {where} could not be told to revoke access: you can remove SocialHub in {where}'s settings."
    messages.success(request, text)
    return redirect("socials:accounts")

