"""Playwright for Python driving Debian's Chromium against pytest-django's live server.

Browsers cannot be downloaded here: Chromium comes from apt (/usr/bin/chromium; scripts/test
installs it when missing). Playwright's sync API keeps an event loop running in this thread, which
makes Django refuse ORM calls from test code unless DJANGO_ALLOW_ASYNC_UNSAFE is set; the tests
still touch the database only between browser steps.
"""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """A fresh browser context (own cookies) per person: new_page(user) is logged in as them."""
    contexts = []

    def _open(user, *, password=None):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=login]", user.username)
        page.fill("input[name=password]", password or f"pw-{user.username}")
        page.click("form button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield _open
    for context in contexts:
        context.close()
