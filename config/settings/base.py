"""Settings shared by every environment. Values come from the environment; no secrets in code."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("FPA_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    # Before django.contrib.auth: its management commands (createsuperuser) override auth's.
    "fpa.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",
    "fpa.core",
    "fpa.organizations",
    "fpa.families",
    "fpa.transparency",
    "fpa.fund",
    "fpa.members",
    "fpa.volunteers",
    "fpa.activities",
    "fpa.childcare",
    "fpa.healthyfamilies",
    "fpa.insurance",
    "fpa.migrants",
    "fpa.leftbehind",
    "fpa.rights",
    "fpa.reports",
    "fpa.cadres",
    "fpa.tasks",
    "fpa.field",
    "fpa.assessment",
    "fpa.notifications",
    "fpa.dashboard",
    "fpa.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fpa.core.headers.SecurityHeadersMiddleware",  # before WhiteNoise: static files get it too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "fpa.core.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",  # before the next one: it adds one
    "fpa.accounts.middleware.SessionLifetimeMiddleware",
    "fpa.accounts.middleware.OTPEnforcementMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fpa.core.scope.ScopeEnforcementMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Django's form renderer with <input> and <select> written in Python (fpa/core/form_renderer.py).
FORM_RENDERER = "fpa.core.form_renderer.FastWidgetRenderer"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fpa" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fpa.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'fpa.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer works; a busy timeout instead of instant failure.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# Connections are kept between requests (DATABASE_CONN_MAX_AGE, 60 s) on both databases, checked
# before reuse. On SQLite, opening a connection and running the pragmas above cost ~4 ms of a
# ~10 ms signed-in request (bench/RESULTS.md, 2026-12-03); the WAL is checkpointed automatically
# every 1,000 pages (SQLite's wal_autocheckpoint) by whichever connection commits, so it stays
# bounded without the checkpoint that closing the last connection used to run.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# The shared cache: rate limits of the public forms and the sign-in lockout per address count in
# it, so it must be one for all workers and machines. The database cache by default (the table
# `fpa_cache`, made by `createcachetable`, which every `migrate` runs: fpa.core.apps); Redis when
# REDIS_URL is set (redis://host:6379/0).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "fpa",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "fpa_cache",
            # Past MAX_ENTRIES the cache deletes expired rows, then a third of the rest: keep it
            # far above the live counters.
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    }
# Template fragments that are the same for every user with the same capabilities and language
# (a page's action buttons): kept in each worker's memory, never personal data.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fpa-fragments",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 5_000},
}
# Background jobs (fpa.core.jobs): their rows and queue go through the "jobs" alias. On SQLite a
# file of its own; on PostgreSQL the same database through a second connection (see
# fpa.core.db_router). FPA_JOBS_DATABASE_URL overrides.
if os.environ.get("FPA_JOBS_DATABASE_URL"):
    DATABASES["jobs"] = dj_database_url.parse(os.environ["FPA_JOBS_DATABASE_URL"])
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["jobs"] = dj_database_url.parse(f"sqlite:///{VAR_DIR / 'jobs.sqlite3'}")
else:
    DATABASES["jobs"] = {**DATABASES["default"], "TEST": {}}
if DATABASES["jobs"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["jobs"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), "timeout": 20}
    DATABASES["jobs"]["OPTIONS"]["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["jobs"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["jobs"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["jobs"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ["fpa.core.db_router.JobsRouter"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Result files of background jobs (exports, report workbooks; personal data) are served to their
# owner only and removed this many hours after the job ended (by the worker, or purge_job_files).
FPA_JOB_FILES_RETENTION_HOURS = float(os.environ.get("FPA_JOB_FILES_RETENTION_HOURS", "24"))
# A running job without a heartbeat for this long is shown as failed (its worker died); workers
# and running jobs beat every FPA_JOB_HEARTBEAT_SECONDS; progress counters are written at most
# every FPA_JOB_PROGRESS_SECONDS. Tests shorten all three.
FPA_JOB_STALE_SECONDS = int(os.environ.get("FPA_JOB_STALE_SECONDS", "60"))
FPA_JOB_HEARTBEAT_SECONDS = float(os.environ.get("FPA_JOB_HEARTBEAT_SECONDS", "10"))
FPA_JOB_PROGRESS_SECONDS = float(os.environ.get("FPA_JOB_PROGRESS_SECONDS", "0.5"))

# Notifications (fpa.notifications; docs/operations.md "Notifications"): the SMS gateway and the
# retries of SMS and e-mail deliveries. The console backend only logs; production names a real one.
FPA_SMS_BACKEND = os.environ.get("FPA_SMS_BACKEND", "fpa.notifications.sms.ConsoleBackend")
FPA_SMS_FILE = os.environ.get("FPA_SMS_FILE", str(VAR_DIR / "sms-outbox.jsonl"))
FPA_SMS_ALIYUN_ACCESS_KEY_ID = os.environ.get("FPA_SMS_ALIYUN_ACCESS_KEY_ID", "")
FPA_SMS_ALIYUN_ACCESS_KEY_SECRET = os.environ.get("FPA_SMS_ALIYUN_ACCESS_KEY_SECRET", "")
FPA_SMS_ALIYUN_SIGN_NAME = os.environ.get("FPA_SMS_ALIYUN_SIGN_NAME", "")
FPA_SMS_ALIYUN_TEMPLATE_CODE = os.environ.get("FPA_SMS_ALIYUN_TEMPLATE_CODE", "")
FPA_SMS_ALIYUN_ENDPOINT = os.environ.get(
    "FPA_SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/"
)
FPA_SMS_TIMEOUT = float(os.environ.get("FPA_SMS_TIMEOUT", "10"))
FPA_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("FPA_NOTIFY_MAX_ATTEMPTS", "5"))
FPA_NOTIFY_RETRY_SECONDS = float(os.environ.get("FPA_NOTIFY_RETRY_SECONDS", "60"))
FPA_NOTIFY_JOB_SECONDS = float(os.environ.get("FPA_NOTIFY_JOB_SECONDS", "5"))
FPA_SITE_URL = os.environ.get("FPA_SITE_URL", "")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Before ModelBackend: a locked address has no password checked.
    "fpa.accounts.lockout.AddressLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "fpa.accounts.passwords.CharacterClassValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: idle timeout through a short session age, pushed forward by activity at most once
# every FPA_SESSION_REFRESH_SECONDS (not a database write per request), plus an absolute
# lifetime; both in fpa.accounts.middleware.SessionLifetimeMiddleware.
SESSION_COOKIE_AGE = int(os.environ.get("FPA_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = False
FPA_SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
FPA_SESSION_ABSOLUTE_SECONDS = int(os.environ.get("FPA_SESSION_ABSOLUTE_SECONDS", str(12 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Lockout per (username, IP) with a cool-off.
AXES_FAILURE_LIMIT = int(os.environ.get("FPA_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("FPA_LOCKOUT_MINUTES", "15")))
# And per IP address across user names (password spraying): this many failures from one address
# in a window of FPA_LOCKOUT_MINUTES pause sign-in from it for FPA_LOCKOUT_MINUTES (0: off).
# fpa.accounts.lockout, counted in the shared cache.
FPA_LOCKOUT_IP_FAILURES = int(os.environ.get("FPA_LOCKOUT_IP_FAILURES", "10"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "fpa.accounts.views.lockout_response"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Second factor. Required roles are listed in fpa.accounts.roles.OTP_REQUIRED_ROLES.
FPA_REQUIRE_OTP = env_bool("FPA_REQUIRE_OTP", True)
OTP_TOTP_ISSUER = "FPA"

# Demo data may be loaded only where this is on (never in production).
FPA_ALLOW_DEMO = False

# Protected personal fields: a JSON key file, or the same JSON in FPA_FIELD_KEYS.
FPA_KEY_FILE = os.environ.get("FPA_KEY_FILE", str(VAR_DIR / "field-keys.json"))

# The verifiable ledger (fpa.transparency, docs/ledger.md). The Ed25519 signing key is a PEM file
# (`manage.py generate_ledger_key`), or its 32-byte seed in base64 in FPA_LEDGER_KEY.
FPA_LEDGER_KEY_FILE = os.environ.get("FPA_LEDGER_KEY_FILE", str(VAR_DIR / "ledger-key.pem"))
# The log's name: the first line of every checkpoint and the name of its signing key.
FPA_LEDGER_ORIGIN = os.environ.get("FPA_LEDGER_ORIGIN", "yongjing-fpa.cn/care-fund-ledger")
# Asking for the latest checkpoint signs a new one when the tree has grown and the newest is older
# than this many seconds, or when the newest is older than a day (docs/ledger.md, "Checkpoints").
FPA_LEDGER_CHECKPOINT_INTERVAL = int(os.environ.get("FPA_LEDGER_CHECKPOINT_INTERVAL", "3600"))
# Public keys of retired signing keys (signed-note verifier keys, name+hash+base64),
# comma separated.
FPA_LEDGER_TRUSTED_KEYS = env_list("FPA_LEDGER_TRUSTED_KEYS")
# What the server has signed, kept outside the database beside the key (docs/ledger.md,
# "Refusing to sign a fork"): deleting every checkpoint row is then still noticed. "" turns it off.
FPA_LEDGER_WITNESS_FILE = os.environ.get(
    "FPA_LEDGER_WITNESS_FILE", str(VAR_DIR / "ledger-witness.json")
)
# Seconds the platform waits for an outside witness's answer (docs/ledger.md, "Witnesses").
FPA_LEDGER_WITNESS_TIMEOUT = float(os.environ.get("FPA_LEDGER_WITNESS_TIMEOUT", "5"))

FPA_API_TOKEN_DAYS = int(os.environ.get("FPA_API_TOKEN_DAYS", "30"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Collected static files; FPA_STATIC_ROOT gives a server its own (the browser tests' servers, so
# that two collecting at once never race over one folder).
STATIC_ROOT = Path(os.environ.get("FPA_STATIC_ROOT", BASE_DIR / "staticfiles"))

# Seconds a worker keeps an area filter's options (fpa.organizations.selectors.area_options); a
# change to the tree shows in the other workers' filters within this time. 0 reads every time.
FPA_AREA_OPTIONS_SECONDS = int(os.environ.get("FPA_AREA_OPTIONS_SECONDS", "60"))
STATICFILES_DIRS = [BASE_DIR / "fpa" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files (care photos): under VAR_DIR, never under STATIC_ROOT, and no MEDIA_URL route:
# they are served only by scoped views (fpa.families.views.care_photo).
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FPA_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
