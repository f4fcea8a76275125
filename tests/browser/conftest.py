"""Playwright for Python driving Debian's Chromium against pytest-django's live server.

Browsers cannot be downloaded here: Chromium comes from apt (/usr/bin/chromium; scripts/test
installs it when missing). Playwright's sync API keeps an event loop running in this thread, which
makes Django refuse ORM calls from test code unless DJANGO_ALLOW_ASYNC_UNSAFE is set; the tests
still touch the database only between browser steps.
"""

import os

import pytest

from tests.conftest import running_database_url

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
    from playwright.sync_api import expect, sync_playwright

    # A loaded 2-core CI machine can be slow: wait for what a person would see, up to 15 s
    # (expect() has its own timeout, apart from the context's).
    expect.set_options(timeout=15_000)

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """A fresh browser context (own cookies) per person: new_page(user) is logged in as them.

    Whatever a test does, the Content-Security-Policy must not have blocked anything on its pages.
    """
    contexts, violations = [], []

    def _watch(page):
        page.on("console", lambda msg: violations.append(f"{page.url}: {msg.text}")
                if "Content Security Policy" in msg.text else None)

    def _open(user, *, password=None):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        context.on("page", _watch)
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
    assert not violations, "\n".join(violations)


@pytest.fixture
def x_sandbox(settings):
    """The local X sandbox, with the app pointed at it (settings are process-wide: the live server
    thread sees them too)."""
    from xsandbox import start_sandbox

    sandbox = start_sandbox(port=0, quiet=True)
    settings.X_API_URL = settings.X_WEB_URL = sandbox.url
    settings.X_OAUTH2_AUTHORIZE_URL = f"{sandbox.url}/i/oauth2/authorize"
    settings.X_SANDBOX = True
    settings.TWITTER_CLIENT_ID, settings.TWITTER_CLIENT_SECRET = "sandbox-client-id", "sandbox-client-secret"
    settings.TWITTER_CONSUMER_KEY, settings.TWITTER_CONSUMER_SECRET = "sandbox-consumer-key", "sandbox-consumer-secret"
    # allauth reads its apps from SOCIALACCOUNT_PROVIDERS, filled from the credentials at start-up.
    providers = {name: dict(conf) for name, conf in settings.SOCIALACCOUNT_PROVIDERS.items()}
    providers["twitter_oauth2"]["APPS"] = [{"client_id": "sandbox-client-id", "secret": "sandbox-client-secret"}]
    providers["twitter"]["APPS"] = [{"client_id": "sandbox-consumer-key", "secret": "sandbox-consumer-secret"}]
    settings.SOCIALACCOUNT_PROVIDERS = providers
    yield sandbox
    sandbox.stop()


@pytest.fixture
def worker(transactional_db, live_server, x_sandbox, settings):
    """A real django-q2 cluster (`manage.py qcluster`) and the due-post dispatcher (`manage.py
    dispatch`) beside it, as deployed, on the test database, talking to the sandbox."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": running_database_url(),
        "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "X_API_URL": x_sandbox.url,
        "X_WEB_URL": x_sandbox.url,
        "X_SANDBOX": "1",
        "TWITTER_CLIENT_ID": "sandbox-client-id",
        "TWITTER_CLIENT_SECRET": "sandbox-client-secret",
        "Q_WORKERS": "1",
        "LOG_LEVEL": "WARNING",
    }
    # Each in its own process group: the cluster forks a sentinel, workers, a monitor and a pusher,
    # and any of them left running would keep a session open on the test database, which then
    # cannot be dropped at the end of the run.
    processes = [
        subprocess.Popen([sys.executable, "manage.py", command], cwd=root, env=env, start_new_session=True)
        for command in ("qcluster", "dispatch")
    ]
    yield processes[0]
    for process in processes:
        stop_process_group(process)


def stop_process_group(process, *, grace: float = 20.0) -> None:
    """SIGTERM the process's group, wait up to `grace` seconds for its leader, then SIGKILL whatever
    of the group is left (forked children outlive their parent otherwise)."""
    import signal
    import subprocess

    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
