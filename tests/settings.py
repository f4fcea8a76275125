"""Test settings: the project's one settings module, with the environment a test run needs.

The X sandbox speaks plain http on 127.0.0.1, which oauthlib refuses without
OAUTHLIB_INSECURE_TRANSPORT; it is set here and in the demo script only, never in production.
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from socialhub.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
MEDIA_ROOT = os.environ.get("TEST_MEDIA_ROOT", "/tmp/socialhub-test-media")
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory, so threaded tests see SQLite's real locking.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}  # noqa: F405

# Web processes keep connections for a minute (socialhub/settings.py); a test run's request
# threads (the live server's) must close theirs at the end of each request, or the run ends with
# sessions still open on the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# No test asks real DNS for a Bluesky handle (there is no internet here): the sandbox serves
# /.well-known/atproto-did, and unit tests give platforms.bluesky.identity a DNS resolver of their own.
BLUESKY_HANDLE_DNS = False
