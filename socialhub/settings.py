"""SocialHub settings, read from the environment.

One module for every environment, following django-environ
(https://django-environ.readthedocs.io/). The defaults run on a laptop: SQLite in the project
folder and django-q2's ORM broker. Production (DEBUG off) refuses to start without a real
SECRET_KEY and FIELD_ENCRYPTION_KEYS. `.env.example` documents every variable.
"""

import base64
import datetime
import hashlib
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is a convenience for development; the process environment wins over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "socialhub.api.csrf_failure"  # the JSON envelope under /api/, /post/, /socials/

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "accounts.apps.SignInConfig",  # allauth.account, named for the admin
    "accounts.apps.SignInWithXConfig",  # allauth.socialaccount, named for the admin
    "allauth.socialaccount.providers.twitter",
    "allauth.socialaccount.providers.twitter_oauth2",
    "allauth.socialaccount.providers.openid_connect",  # LinkedIn
    "allauth.socialaccount.providers.facebook",  # Facebook Pages (platforms/facebook/provider.py)
    "django_q",
    "csp",
    "accounts",
    "socials",
    "posts",
    "notifications",
    "idempotency",
    "content_templates",
    "platforms",
    "agency",
    "costs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "socialhub.middleware.RequestGuardMiddleware",  # NUL bytes, oversized text bodies
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",  # Django's, the user read with one plain statement
    "accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "socialhub.security_headers.SecurityHeadersMiddleware",  # CSP (django-csp), Permissions-Policy
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "socialhub.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "socialhub.context_processors.sandbox",
            ],
            # {% url %} with only literals is reversed once per process (socialhub/template_urls.py).
            "builtins": ["socialhub.template_urls"],
        },
    },
]

WSGI_APPLICATION = "socialhub.wsgi.application"

# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
# postgres:// URLs use psycopg 3, the driver Django picks when it is installed.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Workers and the web server write at the same time: wait for the lock instead of failing.
    # BEGIN IMMEDIATE takes the write lock up front, so a transaction that reads then writes
    # waits for it rather than failing with "database is locked" on the upgrade.
    # https://docs.djangoproject.com/en/5.2/ref/databases/#database-is-locked-errors
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
# Keep a process's connection between requests (a new PostgreSQL connection per request cost the
# pages a third of their rate, docs/performance.md); checked before reuse after a restart of the
# database. https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-connections
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Database sessions, read with a plain statement (socialhub/sessions.py).
SESSION_ENGINE = "socialhub.sessions"
SITE_ID = 1

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "accounts.backends.StaffRoleBackend",
]

LANGUAGE_CODE = "en-us"
# Datetimes are stored in UTC; TIME_ZONE is only the default for users who set none.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files are served only by posts/media_views.py (permission-checked, or by a signed
# link that expires after this many seconds: posts.media.signed_url). See docs/deploy.md.
MEDIA_SIGNED_URL_SECONDS = env.int("MEDIA_SIGNED_URL_SECONDS", default=60 * 60)
# What one client's posts may keep in media files, all posts together (bytes).
MEDIA_QUOTA_PER_CLIENT = env.int("MEDIA_QUOTA_PER_CLIENT_MB", default=2048) * 1024 * 1024
# Videos may be up to 512 MB: stream large uploads to disk rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Text is small: a whole thread is a few KB. A text body (JSON, form) over this is refused with 413
# before it is read (socialhub/middleware.py); in multipart bodies Django caps the text fields with
# DATA_UPLOAD_MAX_MEMORY_SIZE (https://docs.djangoproject.com/en/5.2/ref/settings/#data-upload-max-memory-size).
TEXT_BODY_MAX_BYTES = env.int("TEXT_BODY_MAX_BYTES", default=100 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = TEXT_BODY_MAX_BYTES

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# --- The shared cache: Redis when REDIS_URL is set, else a table in the database, so every web
# process counts the same login failures (accounts/login.py) and allauth's rate limits.
# https://docs.djangoproject.com/en/5.2/topics/cache/ ; the table comes from a migration
# (accounts/migrations/0002_cache_table.py), so `migrate` is all a deployment runs.
REDIS_URL = env.str("REDIS_URL", default="")  # also django-q2's broker, below
CACHE_TABLE = "socialhub_cache"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}
}

# --- django-allauth (https://docs.allauth.org/en/latest/account/configuration.html)
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
# Failed logins on every way in (accounts/login.py), per address and per account; allauth's
# other limits keep their defaults. https://docs.allauth.org/en/latest/account/rate_limits.html
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,30/h/ip,5/5m/key,20/h/key"),
}
# Behind N proxies that append to X-Forwarded-For, the client's address is the Nth from the end;
# 0 trusts no header and counts REMOTE_ADDR. https://docs.allauth.org/en/latest/common/configuration.html
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
# Starting an OAuth flow needs a POST with a CSRF token.
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False  # socials.Account is the single home of X tokens.
# X is connected by signed-in clients, never used to log in: the adapter saves the tokens in
# socials.Account and stops the flow (https://docs.allauth.org/en/latest/socialaccount/advanced.html).
SOCIALACCOUNT_ADAPTER = "socials.adapters.SocialAccountAdapter"

# Default: one line a mail on the console (socialhub/mail.py); Django's console backend
# (django.core.mail.backends.console.EmailBackend) prints each in full, smtp sends them.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="socialhub.mail.OneLineConsoleBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SocialHub <noreply@localhost>")

# The name and address every email gives (notifications and allauth's password reset alike, see
# accounts/adapters.py). Links in emails are absolute, built from SITE_URL.
SITE_NAME = env.str("SITE_NAME", default="SocialHub")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Agency (agency/): how long an invitation link and a review link stay good.
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)
REVIEW_LINK_MAX_AGE_DAYS = env.int("REVIEW_LINK_MAX_AGE_DAYS", default=14)

# --- Notifications (notifications/).
# Events for one person within this many seconds after the first go out as one email.
NOTIFICATIONS_BATCH_SECONDS = env.int("NOTIFICATIONS_BATCH_SECONDS", default=60)
# Webhooks: per-attempt timeout, attempts before giving up, first retry delay (doubles each time).
NOTIFICATIONS_WEBHOOK_TIMEOUT = env.float("NOTIFICATIONS_WEBHOOK_TIMEOUT", default=5.0)
NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS = env.int("NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS", default=6)
NOTIFICATIONS_WEBHOOK_RETRY_SECONDS = env.int("NOTIFICATIONS_WEBHOOK_RETRY_SECONDS", default=30)
# Webhooks to loopback and private addresses: refused in production (no SSRF into our network).
NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = env.bool("NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE", default=DEBUG)

# --- Tokens at rest: MultiFernet keys, newest first; older keys still decrypt (rotation).
# https://cryptography.io/en/latest/fernet/#cryptography.fernet.MultiFernet
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
    ]

# --- X (Twitter). Every URL the project calls comes from here, so tests and the demo can point
# the app at the local X sandbox (xsandbox/).
X_API_URL = env.str("X_API_URL", default="https://api.x.com").rstrip("/")
X_OAUTH2_AUTHORIZE_URL = env.str("X_OAUTH2_AUTHORIZE_URL", default="https://x.com/i/oauth2/authorize")
X_WEB_URL = env.str("X_WEB_URL", default="https://x.com").rstrip("/")
X_SANDBOX = env.bool("X_SANDBOX", default=False)  # shows the "X sandbox" banner on every page
# (connect, read) seconds for every call to X; a publishing lease must outlast one call.
X_TIMEOUT = (env.float("X_CONNECT_TIMEOUT", default=5), env.float("X_READ_TIMEOUT", default=20))

# Mastodon: every instance is its own server; SocialHub registers its app on each the first time
# one of its users connects (POST /api/v1/apps; mastodon/documentation content/en/methods/apps.md).
MASTODON_SCOPES = env.str("MASTODON_SCOPES", default="write:statuses write:media read:accounts")
MASTODON_TIMEOUT = env.float("MASTODON_TIMEOUT", default=20)
# Instances must speak https; only the local sandbox may be plain http.
MASTODON_ALLOW_HTTP = env.bool("MASTODON_ALLOW_HTTP", default=False)
MASTODON_INSTANCE_HINT = env.str("MASTODON_INSTANCE_HINT", default="")  # prefills the connect form
# Bluesky: a handle resolves to a DID by DNS (TXT _atproto.<handle>) or HTTPS (the URL below, with
# {handle} filled in), and the DID's document names the account's PDS, where it signs in and posts
# (atproto.com/specs/handle). The sandbox serves handles over plain http and has no DNS: scripts/run
# points the URL at it and turns DNS off.
BLUESKY_HANDLE_DID_URL = env.str("BLUESKY_HANDLE_DID_URL", default="https://{handle}/.well-known/atproto-did")
BLUESKY_HANDLE_DNS = env.bool("BLUESKY_HANDLE_DNS", default=True)
BLUESKY_WEB_URL = env.str("BLUESKY_WEB_URL", default="https://bsky.app").rstrip("/")
BLUESKY_TIMEOUT = env.float("BLUESKY_TIMEOUT", default=20)
# Sign in with Bluesky (atproto OAuth, atproto.com/specs/oauth): SocialHub is a confidential client
# whose client_id is SITE_URL + /platforms/bluesky/client-metadata.json. Its ES256 private key
# (PEM; "\n" for line breaks in one line) signs its client assertions; the public half is published
# in that document. Without it the connect page offers app passwords only. did:plc documents come
# from BLUESKY_PLC_URL.
BLUESKY_OAUTH_PRIVATE_KEY = env.str("BLUESKY_OAUTH_PRIVATE_KEY", default="")
BLUESKY_PLC_URL = env.str("BLUESKY_PLC_URL", default="https://plc.directory").rstrip("/")
# LinkedIn: a member's profile and the pages they administer, connected through allauth's
# openid_connect provider (SOCIALACCOUNT_PROVIDERS below; LINKEDIN_OIDC_URL names the server whose
# /.well-known/openid-configuration gives every sign-in URL), and the versioned REST API, whose old
# versions are switched off on a schedule: keep LINKEDIN_VERSION current (YYYYMM). Pages need the
# Community Management API's scopes; without them in LINKEDIN_SCOPES only profiles connect.
LINKEDIN_CLIENT_ID = env.str("LINKEDIN_CLIENT_ID", default="")
LINKEDIN_CLIENT_SECRET = env.str("LINKEDIN_CLIENT_SECRET", default="")
LINKEDIN_SCOPES = env.str(
    "LINKEDIN_SCOPES",
    default="openid profile w_member_social w_organization_social r_organization_admin r_organization_social")
LINKEDIN_OIDC_URL = env.str("LINKEDIN_OIDC_URL", default="https://www.linkedin.com/oauth").rstrip("/")
LINKEDIN_API_URL = env.str("LINKEDIN_API_URL", default="https://api.linkedin.com").rstrip("/")
LINKEDIN_WEB_URL = env.str("LINKEDIN_WEB_URL", default="https://www.linkedin.com").rstrip("/")
LINKEDIN_VERSION = env.str("LINKEDIN_VERSION", default="202511")
LINKEDIN_TIMEOUT = env.float("LINKEDIN_TIMEOUT", default=20)
# Facebook Pages: Facebook Login through allauth, then page tokens from /me/accounts
# (developers.facebook.com/docs/pages-api/getting-started). Graph versions are retired on a
# schedule: keep FACEBOOK_API_VERSION current.
FACEBOOK_APP_ID = env.str("FACEBOOK_APP_ID", default="")
FACEBOOK_APP_SECRET = env.str("FACEBOOK_APP_SECRET", default="")
FACEBOOK_SCOPES = env.str("FACEBOOK_SCOPES", default="pages_show_list,pages_manage_posts,pages_read_engagement")
FACEBOOK_API_VERSION = env.str("FACEBOOK_API_VERSION", default="v26.0")
FACEBOOK_GRAPH_URL = env.str("FACEBOOK_GRAPH_URL", default="https://graph.facebook.com").rstrip("/")
FACEBOOK_DIALOG_URL = env.str("FACEBOOK_DIALOG_URL", default="https://www.facebook.com").rstrip("/")
FACEBOOK_WEB_URL = env.str("FACEBOOK_WEB_URL", default="https://www.facebook.com").rstrip("/")
FACEBOOK_TIMEOUT = env.float("FACEBOOK_TIMEOUT", default=20)
# Instagram professional accounts through Instagram Login (no Facebook Page needed): our own OAuth
# code flow at INSTAGRAM_AUTH_URL and INSTAGRAM_TOKEN_URL, then the Graph API at INSTAGRAM_GRAPH_URL
# (developers.facebook.com/docs/instagram-platform). Graph versions retire on a schedule: keep
# INSTAGRAM_GRAPH_VERSION current.
INSTAGRAM_CLIENT_ID = env.str("INSTAGRAM_CLIENT_ID", default="")
INSTAGRAM_CLIENT_SECRET = env.str("INSTAGRAM_CLIENT_SECRET", default="")
INSTAGRAM_SCOPES = env.str("INSTAGRAM_SCOPES", default="instagram_business_basic,instagram_business_content_publish")
INSTAGRAM_AUTH_URL = env.str("INSTAGRAM_AUTH_URL", default="https://www.instagram.com").rstrip("/")
INSTAGRAM_TOKEN_URL = env.str("INSTAGRAM_TOKEN_URL", default="https://api.instagram.com").rstrip("/")
INSTAGRAM_GRAPH_URL = env.str("INSTAGRAM_GRAPH_URL", default="https://graph.instagram.com").rstrip("/")
INSTAGRAM_GRAPH_VERSION = env.str("INSTAGRAM_GRAPH_VERSION", default="v26.0")
INSTAGRAM_TIMEOUT = env.float("INSTAGRAM_TIMEOUT", default=20)
# How often and how long to wait for a media container to be FINISHED before publishing it (within
# one publishing lease; a container still processing then is published at the next try).
INSTAGRAM_POLL_SECONDS = env.float("INSTAGRAM_POLL_SECONDS", default=3)
INSTAGRAM_POLL_LIMIT_SECONDS = env.float("INSTAGRAM_POLL_LIMIT_SECONDS", default=30)
# The local Mastodon and Bluesky stand-in (python -m platforms.sandbox), shown in the banner.
PLATFORM_SANDBOX = env.bool("PLATFORM_SANDBOX", default=False)
PLATFORM_SANDBOX_URL = env.str("PLATFORM_SANDBOX_URL", default="").rstrip("/")
TWITTER_CONSUMER_KEY = env.str("TWITTER_CONSUMER_KEY", default="")
TWITTER_CONSUMER_SECRET = env.str("TWITTER_CONSUMER_SECRET", default="")
TWITTER_CLIENT_ID = env.str("TWITTER_CLIENT_ID", default="")
TWITTER_CLIENT_SECRET = env.str("TWITTER_CLIENT_SECRET", default="")
TWITTER_BEARER_TOKEN = env.str("TWITTER_BEARER_TOKEN", default="")

# A published post's metrics are first read this long after publishing, then hourly with the rest
# (posts/metrics.py).
METRICS_FIRST_READ_SECONDS = env.int("METRICS_FIRST_READ_SECONDS", default=30)

SOCIALACCOUNT_PROVIDERS = {
    "twitter_oauth2": {
        "APPS": [{"client_id": TWITTER_CLIENT_ID, "secret": TWITTER_CLIENT_SECRET}]
        if TWITTER_CLIENT_ID
        else [],
        "SCOPE": ["tweet.read", "tweet.write", "users.read", "offline.access", "media.write"],
        "OAUTH_PKCE_ENABLED": True,
        # /2/users/me on connect: verified_type and subscription_type tell a Premium account
        # (long posts); docs.x.com/x-api/fundamentals/data-dictionary (User object).
        "FIELDS": ["id", "name", "username", "verified", "verified_type", "subscription_type", "profile_image_url",
                   "created_at"],
        # allauth's own switch to a subclass: the same provider with URLs from X_API_URL and
        # X_OAUTH2_AUTHORIZE_URL, so the flow also runs against the X sandbox (platforms/x/providers/).
        "provider_class": "platforms.x.providers.x_oauth2.provider.XOAuth2Provider",
    },
    "twitter": {
        "APPS": [{"client_id": TWITTER_CONSUMER_KEY, "secret": TWITTER_CONSUMER_SECRET}]
        if TWITTER_CONSUMER_KEY
        else [],
        "provider_class": "platforms.x.providers.x_oauth1.provider.XOAuth1Provider",
    },
    # LinkedIn, as allauth's docs set it up (socialaccount/providers/linkedin), with the extra scopes.
    "openid_connect": {
        "APPS": [{"provider_id": "linkedin", "name": "LinkedIn", "client_id": LINKEDIN_CLIENT_ID,
                  "secret": LINKEDIN_CLIENT_SECRET,
                  "settings": {"server_url": LINKEDIN_OIDC_URL, "scope": LINKEDIN_SCOPES.split()}}]
        if LINKEDIN_CLIENT_ID
        else [],
    },
    # Facebook Login for Pages: the same provider with URLs from FACEBOOK_* and the Pages scopes.
    "facebook": {
        "APPS": [{"client_id": FACEBOOK_APP_ID, "secret": FACEBOOK_APP_SECRET}] if FACEBOOK_APP_ID else [],
        "METHOD": "oauth2",
        "FIELDS": ["id", "name"],
        "provider_class": "platforms.facebook.provider.FacebookPagesProvider",
    },
}

# --- django-q2 (https://django-q2.readthedocs.io/en/master/configure.html)
# `timeout` bounds one task (a 512 MB video upload with X's processing fits); `retry` must exceed
# it, or the ORM broker hands a running task to a second worker. A task that raised or timed out
# is acknowledged (ack_failures), so only a killed worker's task comes back, at most max_attempts
# times. None of this is what keeps a tweet single: the channel's claim in the database is
# (posts/publishing.py); a redelivered task finds the channel published or claimed and sends nothing.
# Every worker publishes; `manage.py dispatch`, beside qcluster, hands them due posts
# (posts/dispatcher.py).
Q_CLUSTER = {
    "name": "socialhub",
    "workers": env.int("Q_WORKERS", default=4),
    "timeout": 600,
    "retry": 900,
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 1000,
    "label": "Task queue",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 0.2

# --- Publishing (posts/publishing.py, posts/dispatcher.py)
PUBLISH_MAX_ATTEMPTS = env.int("PUBLISH_MAX_ATTEMPTS", default=5)  # per channel, then "failed"
PUBLISH_DEADLINE_SECONDS = env.int("PUBLISH_DEADLINE_SECONDS", default=2 * 3600)  # from the first try
PUBLISH_RETRY_BASE_SECONDS = env.float("PUBLISH_RETRY_BASE_SECONDS", default=30)  # doubles each try
PUBLISH_RETRY_MAX_SECONDS = env.float("PUBLISH_RETRY_MAX_SECONDS", default=900)
PUBLISH_LEASE_SECONDS = env.float("PUBLISH_LEASE_SECONDS", default=90)  # a silent sender is presumed dead
PUBLISH_RECONCILE_DELAY_SECONDS = env.float("PUBLISH_RECONCILE_DELAY_SECONDS", default=3)
PUBLISH_SYNC_TIMEOUT = (3.05, 10)  # POST /socials/publish/twitter waits at most this for X

# --- What X charges (costs/): pay-per-use since 2026-02-06, in dollars. X changes its prices:
# check the Developer Console (x-api/getting-started/pricing.mdx) and set these to match.
X_PRICE_POST_CREATE = env.str("X_PRICE_POST_CREATE", default="0.015")
X_PRICE_POST_CREATE_URL = env.str("X_PRICE_POST_CREATE_URL", default="0.20")  # a post whose text has a link
X_PRICE_MEDIA_METADATA = env.str("X_PRICE_MEDIA_METADATA", default="0.005")  # alt text
X_PRICE_POST_READ = env.str("X_PRICE_POST_READ", default="0.005")  # charged once per post per UTC day
X_PRICE_OWN_READ = env.str("X_PRICE_OWN_READ", default="0.001")  # GET /2/users/me
# A worker sends a batch of due posts concurrently, at most PUBLISH_THREADS at once (each thread
# has its own database connection): a worker waiting on X costs a thread, not a process.
# Concurrent sends per machine = Q_WORKERS x PUBLISH_THREADS; see docs/performance.md.
PUBLISH_THREADS = env.int("PUBLISH_THREADS", default=8)
PUBLISH_BATCH_SIZE = env.int("PUBLISH_BATCH_SIZE", default=16)  # due posts per worker task
DISPATCHER_LIMIT = env.int("DISPATCHER_LIMIT", default=500)  # channels handed out per poll
DISPATCHER_POLL_SECONDS = env.float("DISPATCHER_POLL_SECONDS", default=0.25)
DISPATCHER_REDISPATCH_SECONDS = env.float("DISPATCHER_REDISPATCH_SECONDS", default=60)
# A post whose channels are all done but which still says processing this long is settled by the loop.
DISPATCHER_SETTLE_AFTER_SECONDS = env.float("DISPATCHER_SETTLE_AFTER_SECONDS", default=10)
# /healthz/publishing answers 503 when no dispatcher has beaten for this long, or when a channel
# has been due (and not handed out) for this long: publishing has stalled.
DISPATCHER_STALL_SECONDS = env.float("DISPATCHER_STALL_SECONDS", default=60)

# --- REST framework
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "socialhub.parsers.JSONParser",  # refuses lone surrogates
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "socialhub.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "socialhub.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SocialHub API",
    "DESCRIPTION": "Resellers write posts for their clients' X accounts; clients review them; "
    "approved posts are published by background workers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # https://drf-spectacular.readthedocs.io/en/latest/settings.html: the error envelope on every
    # operation, after the default enum hook.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "socialhub.api.add_error_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,  # file fields appear in request bodies only
    # Two choice sets are both called "kind": a comment's and a media file's.
    "ENUM_NAME_OVERRIDES": {
        "CommentKindEnum": ["comment", "rejection"],
        "MediaKindEnum": "posts.models.MediaFile.Kind",
    },
    # Swagger UI and ReDoc from this server's static files, never a CDN:
    # https://drf-spectacular.readthedocs.io/en/latest/readme.html#self-contained-ui-installation
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# https://django-rest-framework-simplejwt.readthedocs.io/en/latest/settings.html
# Short access tokens; refresh tokens rotate and each works once (token_blacklist); every token
# carries a fingerprint of the password hash, so a password change ends them all (accounts/api_auth.py).
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": datetime.timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=5)),
    "REFRESH_TOKEN_LIFETIME": datetime.timedelta(days=env.int("JWT_REFRESH_DAYS", default=1)),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "CHECK_REVOKE_TOKEN": True,
}

# --- Security. HTTPS settings are on whenever DEBUG is off, so `check --deploy` is clean.
SECURE_HTTPS = env.bool("SECURE_HTTPS", default=not DEBUG)
if SECURE_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"


# Content-Security-Policy (django-csp, socialhub/security_headers.py): scripts, styles, images and
# fetches from this site only; nothing inline. Forms may also lead to X's consent pages: the
# middleware adds the X_* URLs' origins to form-action (the connect flow's redirect is checked
# against it). https://django-csp.readthedocs.io/
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],  # blob: the composer's previews of picked files
        "media-src": ["'self'", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
API_DOCS_PREFIXES = ("/api/docs/", "/api/redoc/")  # third-party pages: see socialhub/security_headers.py
# No page uses these browser features. https://www.w3.org/TR/permissions-policy/
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), browsing-topics=()"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # At DEBUG these print signed requests whole: OAuth 1.0a request tokens and verifiers,
        # authorization codes and PKCE verifiers. Never below WARNING, whatever LOG_LEVEL says.
        "allauth.socialaccount.providers.oauth.oauth1_auth": {"level": "WARNING"},
        "requests_oauthlib": {"level": "WARNING"},
        "oauthlib": {"level": "WARNING"},
    },
}

# https://whitenoise.readthedocs.io/en/stable/django.html#WHITENOISE_USE_FINDERS
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
