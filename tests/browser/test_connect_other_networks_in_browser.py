"""Connecting Mastodon, Bluesky (OAuth), LinkedIn, Facebook Pages and Instagram in Chromium: SocialHub -> the
network's consent page (the platform sandbox) -> back, connected; then the reseller sees the account in the
composer."""

import pytest
from playwright.sync_api import expect

from platforms.sandbox.server import start_sandbox
from socials.models import Account
from tests.platforms.helpers import control, linkedin_app

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def platform_sandbox(settings):
    sandbox = start_sandbox()
    settings.MASTODON_ALLOW_HTTP = True
    settings.LINKEDIN_API_URL = sandbox.url
    linkedin_app(settings, sandbox)
    settings.FACEBOOK_GRAPH_URL = settings.FACEBOOK_DIALOG_URL = sandbox.url
    settings.FACEBOOK_APP_ID, settings.FACEBOOK_APP_SECRET = "fb-app", "fb-secret"
    providers = {name: dict(conf) for name, conf in settings.SOCIALACCOUNT_PROVIDERS.items()}
    providers["facebook"]["APPS"] = [{"client_id": "fb-app", "secret": "fb-secret"}]
    settings.SOCIALACCOUNT_PROVIDERS = providers
    settings.INSTAGRAM_AUTH_URL, settings.INSTAGRAM_TOKEN_URL = f"{sandbox.url}/ig/www", f"{sandbox.url}/ig/api"
    settings.INSTAGRAM_GRAPH_URL = f"{sandbox.url}/ig/graph"
    settings.INSTAGRAM_CLIENT_ID, settings.INSTAGRAM_CLIENT_SECRET = "ig-client", "ig-secret"
    yield sandbox
    sandbox.stop()


def test_a_client_connects_mastodon_and_the_reseller_can_post_to_it(new_page, platform_sandbox, alice, rita, task):
    client = new_page(alice)
    client.goto("/socials/accounts/")
    client.get_by_role("link", name="Connect Mastodon account").click()
    client.get_by_label("Your Mastodon server").fill(platform_sandbox.url)
    client.get_by_role("button", name="Continue to Mastodon").click()
    client.get_by_role("link", name="Continue to 127.0.0.1").click()

    client.wait_for_url(f"{platform_sandbox.url}/oauth/authorize**")
    client.get_by_label("Sign in as").fill("alice_masto")
    client.get_by_role("button", name="Authorize").click()

    expect(client.locator(".messages")).to_contain_text("Connected Mastodon account @alice_masto@127.0.0.1.")
    assert Account.objects.get(user=alice, provider="mastodon").state == Account.State.CONNECTED

    reseller = new_page(rita)
    reseller.goto("/posts/new/")
    reseller.select_option("#id_task", str(task.pk))
    expect(reseller.get_by_role("checkbox", name="@alice_masto@127.0.0.1")).to_be_visible()


def test_a_client_signs_in_with_bluesky(new_page, platform_sandbox, alice, settings, live_server):
    """The sandbox's authorization server fetches SocialHub's client metadata from the live server."""
    from tests.platforms.conftest import CLIENT_KEY
    from tests.platforms.helpers import control

    settings.SITE_URL = live_server.url
    settings.BLUESKY_PLC_URL = platform_sandbox.url
    settings.BLUESKY_HANDLE_DID_URL = f"{platform_sandbox.url}/handles/{{handle}}/.well-known/atproto-did"
    settings.BLUESKY_OAUTH_PRIVATE_KEY = CLIENT_KEY
    control(platform_sandbox, "bluesky/users", handle="alice.bsky.test", app_password="abcd-efgh-ijkl-mnop")
    client = new_page(alice)
    client.goto("/socials/accounts/")
    client.get_by_role("link", name="Connect Bluesky account").click()
    client.locator("#id_oauth-handle").fill("alice.bsky.test")
    client.get_by_role("button", name="Sign in with Bluesky").click()
    client.get_by_role("link", name="Continue to 127.0.0.1").click()

    client.wait_for_url(f"{platform_sandbox.entryway_url}/oauth/authorize**")
    client.get_by_role("button", name="Authorize").click()

    expect(client.locator(".messages")).to_contain_text("Connected Bluesky account @alice.bsky.test.")
    account = Account.objects.get(user=alice, provider="bluesky")
    assert account.token_type == Account.TokenType.OAUTH2_USER and account.state == Account.State.CONNECTED


def test_a_client_connects_their_linkedin_profile_and_a_page(new_page, platform_sandbox, alice):
    control(platform_sandbox, "linkedin/organizations", name="Example Bakery", admins=["Alice Example"])
    control(platform_sandbox, "linkedin/organizations", name="Tulip Florist", admins=["Alice Example"])
    client = new_page(alice)
    client.goto("/socials/accounts/")
    client.get_by_role("link", name="Connect LinkedIn account").click()
    client.get_by_role("button", name="Continue to LinkedIn").click()

    client.wait_for_url(f"{platform_sandbox.url}/oauth/v2/authorization**")
    client.get_by_label("Sign in as").fill("Alice Example")
    client.get_by_role("button", name="Allow").click()

    expect(client.locator(".messages")).to_contain_text("Connected LinkedIn account Alice Example.")
    client.get_by_role("button", name="Connect the chosen pages").click()
    expect(client.locator("[data-errors-for=pages]")).to_contain_text("Choose at least one page")
    client.get_by_role("checkbox", name="Example Bakery").check()
    client.get_by_role("button", name="Connect the chosen pages").click()

    expect(client.locator(".messages")).to_contain_text("Connected LinkedIn pages: Example Bakery.")
    expect(client.get_by_role("rowheader", name="Example Bakery")).to_be_visible()
    expect(client.get_by_role("cell", name="LinkedIn", exact=True)).to_have_count(2)


def test_a_client_connects_the_facebook_page_they_choose(new_page, platform_sandbox, alice):
    client = new_page(alice)
    client.goto("/socials/accounts/")
    client.get_by_role("link", name="Connect Facebook Page account").click()
    client.get_by_role("button", name="Continue to Facebook").click()

    client.wait_for_url(f"{platform_sandbox.url}/v*/dialog/oauth**")
    client.get_by_label("Continue as").fill("Alice Example")
    client.get_by_role("button", name="Continue").click()

    expect(client.get_by_role("heading", name="Choose your Facebook Pages")).to_be_visible()
    client.get_by_role("checkbox", name="Alice's Bakery").check()
    client.get_by_role("button", name="Connect these Pages").click()

    expect(client.locator(".messages")).to_contain_text("Connected Facebook Page Alice's Bakery.")
    expect(client.get_by_role("rowheader", name="Alice's Bakery")).to_be_visible()
    expect(client.get_by_role("rowheader", name="Alice's Garden")).to_have_count(0)
    assert Account.objects.get(user=alice, provider="facebook").state == Account.State.CONNECTED


def test_a_client_connects_their_instagram_account(new_page, platform_sandbox, alice):
    client = new_page(alice)
    client.goto("/socials/accounts/")
    client.get_by_role("link", name="Connect Instagram account").click()
    client.get_by_role("button", name="Continue to Instagram").click()

    client.wait_for_url(f"{platform_sandbox.url}/ig/www/oauth/authorize**")
    client.get_by_label("Professional account").fill("alice.studio")
    client.get_by_role("button", name="Allow").click()

    expect(client.locator(".messages")).to_contain_text("Connected Instagram account")
    account = Account.objects.get(user=alice, provider="instagram")
    assert account.username == "alice.studio" and account.state == Account.State.CONNECTED
    expect(client.get_by_role("cell", name="Instagram", exact=True)).to_have_count(1)


def test_the_composer_counts_and_previews_each_networks_own_text_as_you_type(new_page, alice, rita, task):
    for provider, username, server in (("mastodon", "alice", "https://mastodon.example"),
                                       ("bluesky", "alice.bsky.test", "https://pds.example")):
        Account.objects.create(user=alice, provider=provider, provider_account_id=f"id-{provider}", username=username,
                               server_url=server, token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token="t")
    page = new_page(rita)
    page.goto(f"/posts/new/?task={task.pk}")
    page.get_by_role("checkbox", name="@alice@mastodon.example").check()
    page.get_by_role("checkbox", name="@alice.bsky.test").check()

    page.get_by_label("Text", exact=True).fill("Tulips " * 50)
    page.get_by_label("Text for Bluesky").fill("Tulips!")

    bluesky = page.locator("[data-network=bluesky]")
    expect(bluesky.locator("[data-network-count]")).to_have_text("7")
    expect(bluesky.locator("[data-network-text]")).to_have_text("Tulips!")
    expect(page.locator("[data-network=mastodon] [data-network-count]")).to_have_text("349")


def test_the_composer_previews_only_the_networks_of_the_ticked_accounts(new_page, alice, rita, task):
    for provider, username, server in (("mastodon", "alice", "https://mastodon.example"),
                                       ("bluesky", "alice.bsky.test", "https://pds.example")):
        Account.objects.create(user=alice, provider=provider, provider_account_id=f"id-{provider}", username=username,
                               server_url=server, token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token="t")
    page = new_page(rita)
    page.goto(f"/posts/new/?task={task.pk}")
    page.get_by_label("Text", exact=True).fill("Tulips")
    expect(page.locator("[data-network=bluesky]")).to_be_visible()  # nothing ticked yet: every network

    page.get_by_role("checkbox", name="@alice.bsky.test").check()

    expect(page.locator("[data-network=mastodon]")).to_be_hidden()
    expect(page.locator("[data-network=bluesky] [data-network-text]")).to_have_text("Tulips")
    page.get_by_role("checkbox", name="@alice.bsky.test").uncheck()
    expect(page.locator("[data-network=mastodon]")).to_be_visible()


def test_each_networks_card_shows_the_ticked_account_the_pictures_and_its_fold(new_page, alice, rita, task):
    from tests.conftest import PNG_BYTES

    for provider, username, name in (("linkedin", "ts-1", "Tulip Studio"), ("instagram", "tulip.studio", "")):
        Account.objects.create(user=alice, provider=provider, provider_account_id=f"id-{provider}", username=username,
                               name=name, token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token="t")
    page = new_page(rita)
    page.goto(f"/posts/new/?task={task.pk}")
    page.get_by_role("checkbox", name="Tulip Studio").check()
    page.get_by_role("checkbox", name="@tulip.studio").check()
    page.get_by_label("Text", exact=True).fill("Tulips from our growers, picked this morning. " * 6)
    page.locator("[data-media-input]").set_input_files(files=[
        {"name": f"tulips-{n}.png", "mimeType": "image/png", "buffer": PNG_BYTES} for n in (1, 2)])

    linkedin, instagram = page.locator("[data-network=linkedin]"), page.locator("[data-network=instagram]")
    expect(linkedin.locator("[data-network-name]")).to_have_text("Tulip Studio")
    expect(linkedin.locator(".net-media img")).to_have_count(2)
    expect(instagram.locator(".net-head [data-network-name]")).to_have_text("tulip.studio")
    expect(instagram.locator(".net-media img").first).to_be_visible()
    expect(instagram.locator(".net-media img").nth(1)).to_be_hidden()  # a swipe away, as in a carousel
    expect(instagram.locator("[data-ig-counter]")).to_have_text("1/2")
    expect(instagram.locator("[data-ig-dots] span")).to_have_count(2)
    more = linkedin.get_by_text("see more")
    expect(more).to_be_visible()
    more.click()
    expect(linkedin.locator("[data-network-text]")).to_contain_text("picked this morning. Tulips from our growers")
