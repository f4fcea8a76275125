"""The Mastodon and Bluesky sandbox, SocialHub pointed at it, and accounts connected there."""

import pytest
from joserfc.jwk import ECKey

from platforms.bluesky import client as bluesky_client
from platforms.bluesky import identity
from platforms.sandbox.server import start_sandbox
from posts import publishing
from posts import services as post_services
from posts.models import PostChannel
from socials import services
from socials.models import Account
from tests.platforms.helpers import control, linkedin_app

BLUESKY_HANDLE, BLUESKY_PASSWORD = "alice.bsky.test", "abcd-efgh-ijkl-mnop"
# SocialHub's Bluesky OAuth client key for the tests (settings.BLUESKY_OAUTH_PRIVATE_KEY).
CLIENT_KEY = ECKey.generate_key("P-256", private=True).as_pem(private=True).decode()


@pytest.fixture
def sandbox(settings):
    sb = start_sandbox()
    settings.MASTODON_ALLOW_HTTP = True
    settings.BLUESKY_PLC_URL = sb.url
    settings.BLUESKY_HANDLE_DID_URL = f"{sb.url}/handles/{{handle}}/.well-known/atproto-did"
    settings.BLUESKY_OAUTH_PRIVATE_KEY = CLIENT_KEY
    settings.BLUESKY_WEB_URL = "https://bsky.test"
    settings.LINKEDIN_API_URL, settings.LINKEDIN_WEB_URL = sb.url, "https://linkedin.test"
    linkedin_app(settings, sb)
    settings.FACEBOOK_GRAPH_URL = settings.FACEBOOK_DIALOG_URL = sb.url
    settings.FACEBOOK_WEB_URL = "https://facebook.test"
    settings.FACEBOOK_APP_ID, settings.FACEBOOK_APP_SECRET = "fb-app", "fb-secret"
    providers = {name: dict(conf) for name, conf in settings.SOCIALACCOUNT_PROVIDERS.items()}
    providers["facebook"]["APPS"] = [{"client_id": "fb-app", "secret": "fb-secret"}]
    settings.SOCIALACCOUNT_PROVIDERS = providers
    settings.INSTAGRAM_AUTH_URL, settings.INSTAGRAM_TOKEN_URL = f"{sb.url}/ig/www", f"{sb.url}/ig/api"
    settings.INSTAGRAM_GRAPH_URL = f"{sb.url}/ig/graph"
    settings.INSTAGRAM_CLIENT_ID, settings.INSTAGRAM_CLIENT_SECRET = "ig-client", "ig-secret"
    settings.INSTAGRAM_POLL_SECONDS = 0
    settings.PUBLISH_RECONCILE_DELAY_SECONDS = 0
    settings.PUBLISH_RETRY_BASE_SECONDS = 0  # a retry is due at once: the test plays the next worker
    yield sb
    sb.stop()


@pytest.fixture
def mastodon_account(sandbox, alice):
    """alice's Mastodon account on the sandbox, with the token its OAuth would have given."""
    user = control(sandbox, "mastodon/users", username="alice")
    return services.connect_account(
        user=alice, provider="mastodon", server_url=sandbox.url, provider_account_id=user["id"],
        username="alice", token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token=user["token"],
    ).account


@pytest.fixture
def bluesky_account(sandbox, alice):
    """alice's Bluesky account, signed in with an app password as the connect page does."""
    control(sandbox, "bluesky/users", handle=BLUESKY_HANDLE, app_password=BLUESKY_PASSWORD)
    session = bluesky_client.sign_in(identity.resolve(BLUESKY_HANDLE), BLUESKY_PASSWORD)
    return services.connect_account(
        user=alice, provider="bluesky", server_url=session["pds"], provider_account_id=session["did"],
        username=session["handle"], token_type=Account.TokenType.APP_PASSWORD,
        oauth2_access_token=session["access_jwt"], oauth2_refresh_token=session["refresh_jwt"],
    ).account


@pytest.fixture
def linkedin_account(sandbox, alice):
    """alice's LinkedIn profile with a token its OAuth would have given (60 days)."""
    import datetime as dt

    from django.utils import timezone

    member = control(sandbox, "linkedin/members", name="Alice Example")
    return services.connect_account(
        user=alice, provider="linkedin", provider_account_id=member["sub"], username=member["sub"],
        name=member["name"], token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token=member["token"],
        expires_at=timezone.now() + dt.timedelta(days=60),
    ).account


@pytest.fixture
def facebook_account(sandbox, alice):
    """alice's first Facebook Page, with the page token Facebook Login and /me/accounts would give."""
    person = control(sandbox, "facebook/users", name="Alice Example")
    page = person["pages"][0]
    return services.connect_account(
        user=alice, provider="facebook", provider_account_id=page["id"], name=page["name"],
        username="", token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token=page["access_token"],
    ).account


@pytest.fixture
def bluesky_oauth_account(sandbox, client, alice):
    """alice's Bluesky account connected through "Sign in with Bluesky" (tests/platforms/bluesky_oauth_flow.py)."""
    from tests.platforms.bluesky_oauth_flow import sign_in_with_bluesky

    control(sandbox, "bluesky/users", handle=BLUESKY_HANDLE, app_password=BLUESKY_PASSWORD)
    client.force_login(alice)
    sign_in_with_bluesky(client, sandbox, BLUESKY_HANDLE)
    return Account.objects.get(user=alice, provider="bluesky")


@pytest.fixture
def instagram_account(sandbox, alice):
    """alice's Instagram professional account with the 60-day token Instagram Login would have given."""
    import datetime as dt

    from django.utils import timezone

    user = control(sandbox, "instagram/users", username="alice.studio")
    return services.connect_account(
        user=alice, provider="instagram", provider_account_id=user["user_id"], username=user["username"],
        name=user["name"], token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token=user["token"],
        expires_at=timezone.now() + dt.timedelta(days=60),
    ).account


@pytest.fixture
def site(live_server, settings):
    """SocialHub reachable at SITE_URL (a live test server), so the sandbox can fetch its files."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def approved_post(rita, alice, task):
    """A post rita writes for the given accounts and alice approves, not yet handed to a worker."""

    def _approved_post(*accounts, content, **fields):
        post = post_services.create_post(
            author=rita, task=task, content=content, account_ids=[a.pk for a in accounts], **fields)
        post_services.review_post(actor=alice, post=post, action=1)
        return post

    return _approved_post


@pytest.fixture
def facebook_post(approved_post, facebook_account):
    """An approved post for alice's Facebook Page: facebook_post("Fresh bread", media_files=[...])."""
    return lambda content, **fields: approved_post(facebook_account, content=content, **fields)


@pytest.fixture
def published(approved_post):
    """A post published now to the given accounts, returning its channels by provider."""

    def _publish(*accounts, content="Counting the tulips"):
        post = approved_post(*accounts, content=content)
        publishing.publish_post(post_id=post.pk)
        channels = {c.account.provider: c for c in PostChannel.objects.filter(post=post).select_related("account")}
        assert {c.state for c in channels.values()} == {PostChannel.State.PUBLISHED}
        return post, channels

    return _publish
