"""The connect button round trip in Chromium: SocialHub -> the sandbox's consent page -> back, connected."""

import pytest
from playwright.sync_api import expect

from socials.models import Account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_client_connects_an_x_account_and_the_reseller_can_post_to_it(new_page, x_sandbox, alice, rita, task):
    client = new_page(alice)
    client.get_by_role("link", name="Accounts", exact=True).click()
    client.get_by_role("button", name="Connect X account").click()

    # The sandbox's consent screen, as X's would be: say who you are and authorize the app.
    client.wait_for_url(f"{x_sandbox.url}/**")
    client.get_by_label("Username").fill("alice_flowers")
    client.get_by_role("button", name="Authorize app").click()

    expect(client.locator(".messages")).to_contain_text("Connected X account @alice_flowers.")
    assert client.url.endswith("/socials/accounts/")
    account = Account.objects.get(user=alice)
    assert account.username == "alice_flowers" and account.state == Account.State.CONNECTED

    reseller = new_page(rita)
    reseller.goto("/posts/new/")
    reseller.select_option("#id_task", str(task.pk))
    expect(reseller.get_by_role("checkbox", name="@alice_flowers")).to_be_checked()
