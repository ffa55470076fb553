"""Settings for Collab, read from the environment (django-environ).

With no environment at all the defaults are the *embedded* set-up that ``make run`` uses:
SQLite in the project folder, Celery over kombu's filesystem transport (no server needed),
email to the console and DEBUG on. ``DJANGO_ENV=production`` flips the defaults to safe ones
and refuses to start without ``SECRET_KEY``.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():  # a developer's local overrides; never required
    environ.Env.read_env(BASE_DIR / ".env")

DJANGO_ENV: str = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"
TESTING: bool = env.bool("COLLAB_TESTING", default="pytest" in sys.modules)

if PRODUCTION and not env.str("SECRET_KEY", default=""):
    raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
SECRET_KEY: str = env.str("SECRET_KEY", default="django-insecure-collab-embedded-development-key-only")
DEBUG: bool = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS: list[str] = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL: str = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "ninja",  # the REST API; its bundled Swagger UI is served from our static files (no CDN)
    # ours, floor by floor (STYLE.md): imports only go down
    "collab.lib",
    "collab.accounts",
    "collab.notifications",
    "collab.projects",
    "parkinglot",
    "liaison",
    "reviews",
    "collab.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "collab.lib.middleware.PrivateNoStoreMiddleware",
    "collab.lib.middleware.RejectNullBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "collab.accounts.middleware.UserTimezoneMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "collab.urls"
WSGI_APPLICATION = "collab.wsgi.application"
ASGI_APPLICATION = "collab.asgi.application"

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
                "csp.context_processors.nonce",
                "collab.lib.context_processors.site",
                "collab.notifications.context_processors.bell",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

# --- database ------------------------------------------------------------------------------
# SQLite shared by web, worker and beat: WAL, a busy timeout and IMMEDIATE transactions, or
# concurrent writers collide with "database is locked".
_SQLITE_DEFAULT = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
# an empty DATABASE_URL (as `DATABASE_URL= make test` or a blank line in .env gives) means the default too
DATABASES = {"default": env.db_url_config(env.str("DATABASE_URL", default="") or _SQLITE_DEFAULT)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

# --- cache ---------------------------------------------------------------------------------
REDIS_URL: str = env.str("REDIS_URL", default="")
if REDIS_URL and not TESTING:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "collab"}}

# --- accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "collab.accounts.sso.PasswordBackend",  # Django's ModelBackend, off when LOCAL_LOGIN_ENABLED is false
    # single sign-on: does nothing (no network, no queries) until OIDC_* below is configured
    "collab.accounts.sso.SSOBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- single sign-on (OpenID Connect, mozilla-django-oidc): off unless a client id and a provider are set ----------
# The provider's endpoints come from OIDC_ISSUER's discovery document, or each is set on its own.
OIDC_ISSUER: str = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT: str = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT: str = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT: str = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT: str = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT: str = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_RP_CLIENT_ID: str = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET: str = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO: str = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES: str = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_PROVIDER_NAME: str = env.str("OIDC_PROVIDER_NAME", default="single sign-on")
OIDC_REQUIRED_CLAIMS: list[str] = env.list("OIDC_REQUIRED_CLAIMS", default=["email"])
OIDC_CLAIM_USERNAME: str = env.str("OIDC_CLAIM_USERNAME", default="preferred_username")
OIDC_CLAIM_DEPARTMENT: str = env.str("OIDC_CLAIM_DEPARTMENT", default="")
OIDC_CLAIM_ROLE: str = env.str("OIDC_CLAIM_ROLE", default="")
OIDC_CLAIM_TITLE: str = env.str("OIDC_CLAIM_TITLE", default="")
OIDC_CLAIM_GROUPS: str = env.str("OIDC_CLAIM_GROUPS", default="")
OIDC_GROUP_DEPARTMENTS: dict[str, str] = env.dict("OIDC_GROUP_DEPARTMENTS", default={})
OIDC_GROUP_ROLES: dict[str, str] = env.dict("OIDC_GROUP_ROLES", default={})
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
OIDC_STORE_ID_TOKEN = True  # for the provider's logout (id_token_hint)
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and (OIDC_ISSUER or OIDC_OP_AUTHORIZATION_ENDPOINT))
LOCAL_LOGIN_ENABLED: bool = env.bool("LOCAL_LOGIN_ENABLED", default=True)
if not LOCAL_LOGIN_ENABLED and not OIDC_ENABLED:
    raise ImproperlyConfigured("LOCAL_LOGIN_ENABLED=false needs single sign-on (OIDC_RP_CLIENT_ID and OIDC_ISSUER).")

# django-axes: lock a username+IP after repeated failures
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# the client address behind a proxy (collab/lib/clientip.py): X-Forwarded-For is read only from these peers
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "collab.lib.clientip.client_ip_or_none"
# a failed single sign-on counts against the identity it was for (the provider's subject), not the address
AXES_USERNAME_CALLABLE = "collab.accounts.sso.axes_username"

# personal API tokens: requests per minute per user, all their tokens together (the Django cache counts; it fails
# open), and bad tokens per minute per client address before that address gets 429s
API_RATE_LIMIT_PER_MINUTE: int = env.int("API_RATE_LIMIT_PER_MINUTE", default=120)
API_FAILED_TOKENS_PER_MINUTE: int = env.int("API_FAILED_TOKENS_PER_MINUTE", default=20)

# --- i18n / time ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# IT answers a tool request within this many working days (Monday to Friday in TIME_ZONE)
TOOL_REQUEST_ANSWER_WORKING_DAYS: int = env.int("TOOL_REQUEST_ANSWER_WORKING_DAYS", default=5)
USE_I18N = True
USE_TZ = True

# --- static --------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- email ---------------------------------------------------------------------------------
EMAIL_BACKEND: str = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST: str = env.str("EMAIL_HOST", default="localhost")
EMAIL_FILE_PATH: str = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / ".run" / "mail"))
EMAIL_PORT: int = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER: str = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD: str = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS: bool = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL: str = env.str("DEFAULT_FROM_EMAIL", default="Collab <collab@localhost>")

# --- Celery --------------------------------------------------------------------------------
# Embedded default: kombu's filesystem transport, one folder shared by web, worker and beat
# (data_folder_in == data_folder_out), so tasks really travel between separate processes.
RUN_DIR = Path(env.str("COLLAB_RUN_DIR", default=str(BASE_DIR / ".run")))
BROKER_DIR = RUN_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        # a publish must not hang a web request while Redis is down: one quick try, then give up
        # (the sweep finds the pending rows later); the worker's own reconnects are set apart below
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_RESULT_BACKEND = f"file://{RUN_DIR / 'results'}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        "processed_folder": str(RUN_DIR / "processed"),
        "control_folder": str(RUN_DIR / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
}
CELERY_TASK_IGNORE_RESULT = True  # only tasks that are waited on (ping) keep a result
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "UTC"
CELERY_IMPORTS = ["collab.tasks"]
CELERY_TASK_ALWAYS_EAGER: bool = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(RUN_DIR / "celerybeat-schedule")

REMINDER_SWEEP_SECONDS: int = env.int("REMINDER_SWEEP_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "reminders-sweep": {
        "task": "collab.notifications.tasks.sweep",
        "schedule": float(REMINDER_SWEEP_SECONDS),
        "options": {"expires": max(REMINDER_SWEEP_SECONDS - 5, 5)},
    },
    "reminders-requeue-stuck": {
        "task": "collab.notifications.tasks.requeue_stuck",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    "webhooks-sweep": {
        "task": "collab.notifications.tasks.webhooks_sweep",
        "schedule": 120.0,
        "options": {"expires": 110},
    },
    "snags-escalate": {
        "task": "parkinglot.tasks.escalate",
        "schedule": float(REMINDER_SWEEP_SECONDS),
        "options": {"expires": max(REMINDER_SWEEP_SECONDS - 5, 5)},
    },
}
# how long a delivery may sit in "sending" before the sweeper hands it out again
REMINDER_SENDING_TIMEOUT = timedelta(seconds=env.int("REMINDER_SENDING_TIMEOUT_SECONDS", default=600))
REMINDER_MAX_ATTEMPTS: int = env.int("REMINDER_MAX_ATTEMPTS", default=5)
REMINDER_BATCH_SIZE: int = env.int("REMINDER_BATCH_SIZE", default=200)

# --- integrations: outgoing webhooks and chat channels ---------------------------------------
WEBHOOK_TIMEOUT_SECONDS: float = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_MAX_ATTEMPTS: int = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_BACKOFF_SECONDS: int = env.int("WEBHOOK_BACKOFF_SECONDS", default=30)
WEBHOOK_BACKOFF_MAX_SECONDS: int = env.int("WEBHOOK_BACKOFF_MAX_SECONDS", default=3600)
WEBHOOK_DISABLE_AFTER: int = env.int("WEBHOOK_DISABLE_AFTER", default=10)
WEBHOOK_LOG_DAYS: int = env.int("WEBHOOK_LOG_DAYS", default=30)  # sent and skipped deliveries are pruned after
CHAT_TIMEOUT_SECONDS: float = env.float("CHAT_TIMEOUT_SECONDS", default=5.0)
# Where outgoing webhooks may go (collab/lib/urls.py): the host is resolved on save and before each send, with this
# timeout; loopback, 0.0.0.0, our own names, link-local and cloud metadata are always refused; private ranges only
# when WEBHOOK_ALLOW_PRIVATE is off.
WEBHOOK_DNS_TIMEOUT_SECONDS: float = env.float("WEBHOOK_DNS_TIMEOUT_SECONDS", default=2.0)
WEBHOOK_ALLOW_PRIVATE: bool = env.bool("WEBHOOK_ALLOW_PRIVATE", default=True)
# Tests only (pytest-httpserver listens on loopback): loopback ports other than SITE_URL's, and plain http to a
# loopback chat host. Never on in production.
WEBHOOK_ALLOW_LOOPBACK: bool = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=False)
if PRODUCTION and WEBHOOK_ALLOW_LOOPBACK:
    raise ImproperlyConfigured("WEBHOOK_ALLOW_LOOPBACK is for tests; it must be off in production.")
# Chat webhook hosts a person may use: "service=pattern" for one service, a bare pattern for all; a leading dot
# covers the subdomains (Teams: classic connectors, Workflows on Logic Apps and on Power Platform).
CHAT_WEBHOOK_ALLOWED_HOSTS: list[str] = env.list(
    "CHAT_WEBHOOK_ALLOWED_HOSTS",
    default=[
        "slack=hooks.slack.com",
        "teams=.webhook.office.com",
        "teams=.logic.azure.com",
        "teams=.powerplatform.com",
    ],
)
# Slack through a bot (chat:write, im:write): team channels by channel id, direct messages by member id.
SLACK_BOT_TOKEN: str = env.str("SLACK_BOT_TOKEN", default="")
SLACK_API_BASE_URL: str = env.str("SLACK_API_BASE_URL", default="https://slack.com/api/")

# --- security headers ----------------------------------------------------------------------
CSRF_FAILURE_VIEW = "collab.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- logging -------------------------------------------------------------------------------
LOG_LEVEL: str = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "collab.lib.logging.JsonFormatter"},
    },
    "filters": {"redact_secrets": {"()": "collab.lib.logging.RedactSecretsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if PRODUCTION else "plain",
            "filters": ["redact_secrets"],  # feed and reset tokens never reach a log line
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "collab.security": {"level": "INFO"},
        # the development server's request lines through the same (redacting) handler
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
