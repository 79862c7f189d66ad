"""Django settings, read from the environment (``LINLI_*``).

The embedded default is a SQLite file under ``LINLI_DATA_DIR``; production sets
``LINLI_DATABASE_URL`` to PostgreSQL. See ``docs/operations.md`` for every variable.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}: expected true or false, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: expected an integer, got {value!r}") from error


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key(data_dir: Path) -> str:
    """``LINLI_SECRET_KEY``, else a key generated once and kept in the data dir."""
    if key := os.environ.get("LINLI_SECRET_KEY"):
        return key
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


# What the platform writes (SQLite file, uploads, caches, the generated key) holds residents'
# and officials' data: readable by the service account only, whichever entry point runs
# (linli serve, linli manage, another WSGI server). New directories 0700, files 0600.
os.umask(0o077)
DATA_DIR = Path(os.environ.get("LINLI_DATA_DIR", "linli-data")).resolve()
DEBUG = env_bool("LINLI_DEBUG", False)
# Plain HTTP only for `linli demo` on localhost; production runs behind TLS.
HTTPS = env_bool("LINLI_HTTPS", True)
SECRET_KEY = _secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("LINLI_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("LINLI_CSRF_TRUSTED_ORIGINS", "")
# The reverse proxy (nginx) in front, by address: only its X-Forwarded-For, X-Forwarded-Proto
# and X-Request-ID are believed. `linli serve` hands it to waitress; Django reads it for the
# client address and the scheme (linli.core.middleware). Empty: those headers are ignored.
TRUSTED_PROXY = os.environ.get("LINLI_TRUSTED_PROXY", "").strip()
# `linli serve` (waitress), sized for a government intranet: hundreds of officials' browsers
# through one nginx. Idle keep-alive connections are closed after SERVE_IDLE_SECONDS so that
# idle clients cannot hold every slot; a request body over the cap is refused before Django.
SERVE_THREADS = env_int("LINLI_SERVE_THREADS", 8)
SERVE_CONNECTION_LIMIT = env_int("LINLI_SERVE_CONNECTIONS", 1000)
SERVE_IDLE_SECONDS = env_int("LINLI_SERVE_IDLE_SECONDS", 30)
MAX_REQUEST_BODY_MB = env_int("LINLI_MAX_REQUEST_MB", 64)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for TemplatesSetting below
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tables2",
    "django_filters",
    "treebeard",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "linli.core",
    "linli.accounts",
    "linli.audit",
    "linli.registry",
    "linli.funding",
    "linli.operations",
    "linli.jobs",
    "linli.plans",
    "linli.participation",
    "captcha",
    "linli.monitoring",
    "linli.residents",
    "linli.api",
    "linli.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "linli.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "linli.accounts.middleware.SessionLifetimeMiddleware",
    "linli.accounts.middleware.SecondFactorRequiredMiddleware",
    "linli.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "linli.core.middleware.DeniedAccessMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linli.web.urls"
WSGI_APPLICATION = "linli.web.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Widgets render through TEMPLATES, so that our own (the jurisdiction picker) are found.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "linli.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("LINLI_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'linli.sqlite3'}",
        conn_max_age=env_int("LINLI_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a background job writes; IMMEDIATE avoids
    # "database is locked" on write upgrades inside transactions.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and the security baseline (等保: SEC-11, SEC-12, SEC-25) ---
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "linli.accounts.backends.RoleBackend",
]
# 等保 level 3 (GB/T 22239-2019 8.1.4.1 a): complex passwords, changed periodically.
PASSWORD_HISTORY_COUNT = env_int("LINLI_PASSWORD_HISTORY", 5)
PASSWORD_MAX_AGE_DAYS = env_int("LINLI_PASSWORD_MAX_AGE_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "linli.accounts.validators.CharacterClassValidator",
        "OPTIONS": {"min_classes": 3},
    },
    {
        "NAME": "linli.accounts.validators.PasswordHistoryValidator",
        "OPTIONS": {"count": PASSWORD_HISTORY_COUNT},
    },
]
# Sign-in throttling (linli.accounts.throttle). Failures lock the pair of address and account,
# not the account: whoever guesses at an official's password locks out only themselves, and a
# street office behind one NAT address is not shut out by one colleague's typos (axes.W006
# silenced for that reason). On top: a progressive delay per account across all addresses,
# and a cap per address across all accounts (password spraying).
AXES_FAILURE_LIMIT = env_int("LINLI_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LINLI_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_HANDLER = "linli.accounts.throttle.SignInThrottle"
AXES_CLIENT_IP_CALLABLE = "linli.core.middleware.client_ip"
# A refused attempt is not a guess: counting it would let a locked-out attacker extend the lock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
SIGN_IN_DELAY_AFTER_FAILURES = env_int("LINLI_SIGN_IN_DELAY_AFTER", 3)
SIGN_IN_DELAY_MAX_SECONDS = env_int("LINLI_SIGN_IN_DELAY_MAX_SECONDS", 30)
SIGN_IN_ADDRESS_FAILURES = env_int("LINLI_SIGN_IN_ADDRESS_FAILURES", 30)

# Two-factor sign-in (TOTP, django-otp) for every role but residents; recovery codes.
OTP_TOTP_ISSUER = os.environ.get("LINLI_TOTP_ISSUER", "linli")
RECOVERY_CODE_COUNT = 10
# Changing one's password or second factor needs a sign-in this recent (or a re-entry).
REAUTHENTICATE_MINUTES = env_int("LINLI_REAUTHENTICATE_MINUTES", 10)
# Codes the two administrators hand a user to set a password (new account, reset) expire.
ACCOUNT_CODE_HOURS = env_int("LINLI_ACCOUNT_CODE_HOURS", 72)

# Idle timeout: the session expires this long after the user's last request; and however
# active, a session ends this many hours after sign-in.
IDLE_TIMEOUT_MINUTES = env_int("LINLI_IDLE_TIMEOUT_MINUTES", 30)
SESSION_MAX_HOURS = env_int("LINLI_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = IDLE_TIMEOUT_MINUTES * 60
# The idle timeout rolls the session's expiry forward, at most once a minute
# (accounts.middleware.SessionLifetimeMiddleware): saving the session on every request would
# write its row on every page view.
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Audit and security logs are kept at least six months (网络安全法 第二十一条, SEC-10).
AUDIT_RETENTION_DAYS = env_int("LINLI_AUDIT_RETENTION_DAYS", 365)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie.
CSRF_FAILURE_VIEW = "linli.web.views.csrf_failure"  # the site's own page, in the reader's language
DJANGO_TABLES2_TEMPLATE = "tables/cards.html"  # rows become cards on a phone
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
if TRUSTED_PROXY:
    # TLS ends at the trusted proxy; its X-Forwarded-Proto says whether the client used HTTPS
    # (`linli serve` drops the header from any other peer, so a client cannot forge it).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if HTTPS:
    SECURE_HSTS_SECONDS = env_int("LINLI_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("LINLI_HSTS_PRELOAD", True)

# --- Maps: tiles come from OpenStreetMap by default, 天地图 or an intranet server by setting ---
MAP_TILE_URL = os.environ.get(
    "LINLI_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
# Empty: OpenStreetMap's credit, in the reader's language (web/context_processors.py).
MAP_TILE_ATTRIBUTION = os.environ.get("LINLI_MAP_TILE_ATTRIBUTION", "")


def _origin(url: str) -> str:
    scheme, _sep, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0].replace('{s}', '*')}" if rest else SELF


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", _origin(MAP_TILE_URL)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Internationalisation: zh-Hans first, English complete ---
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = os.environ.get("LINLI_STATIC_ROOT") or None  # only for an optional collectstatic
# WhiteNoise serves the packaged assets straight from the apps: no collectstatic step.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "linli.accounts.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["linli.api.permissions.RestrictedModelPermissions"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "linli.api.exceptions.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "linli API",
    "DESCRIPTION": "linli 邻里 — community embedded service facilities platform",
    "VERSION": "v1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from the packaged sidecar, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Notifications by e-mail: printed to the console unless a real backend is configured.
EMAIL_BACKEND = os.environ.get(
    "LINLI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("LINLI_EMAIL_FROM", "linli@localhost")
EMAIL_HOST = os.environ.get("LINLI_EMAIL_HOST", "localhost")

# Notices to residents (linli.notifications): backends by name or dotted path, comma separated
# (console, email, sms); one-time sign-up codes go by the code sender alone (sms in production).
NOTIFY_BACKENDS = os.environ.get("LINLI_NOTIFY_BACKENDS", "console")
CODE_SENDER = os.environ.get("LINLI_CODE_SENDER", "console")
SMS_GATEWAY_URL = os.environ.get("LINLI_SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("LINLI_SMS_GATEWAY_TOKEN", "")
# One-time codes: minutes valid, wrong tries allowed, codes per phone per hour.
CODE_MINUTES = env_int("LINLI_CODE_MINUTES", 10)
CODE_MAX_ATTEMPTS = env_int("LINLI_CODE_MAX_ATTEMPTS", 5)
CODES_PER_HOUR = env_int("LINLI_CODES_PER_HOUR", 5)
# Bookings: people per booking, upcoming bookings per person and service, reminder lead time;
# days an operator has to answer a resident's complaint before it goes to the street.
BOOKING_MAX_PARTY = env_int("LINLI_BOOKING_MAX_PARTY", 4)
BOOKING_MAX_UPCOMING = env_int("LINLI_BOOKING_MAX_UPCOMING", 31)
BOOKING_REMIND_HOURS = env_int("LINLI_BOOKING_REMIND_HOURS", 24)
COMPLAINT_ANSWER_DAYS = env_int("LINLI_COMPLAINT_ANSWER_DAYS", 5)

# Background jobs: in-process worker threads, or the Dask cluster at LINLI_DASK_SCHEDULER
# (tcp://host:8786); JOBS_EAGER runs them inline (tests).
JOBS_EAGER = env_bool("LINLI_JOBS_EAGER", False)
JOBS_WORKERS = env_int("LINLI_JOBS_WORKERS", 1)
DASK_SCHEDULER = os.environ.get("LINLI_DASK_SCHEDULER", "")
# A job whose process died this many times is failed instead of queued again.
JOBS_MAX_ATTEMPTS = env_int("LINLI_JOBS_MAX_ATTEMPTS", 3)
# The city's walking network for planning (OpenStreetMap .osm.pbf / .osm); demo city by default.
PLANNING_NETWORK_FILE = os.environ.get("LINLI_NETWORK_FILE", "")

# The installation's policy pack: the city's own measures (who designates pilots, say).
POLICY_PACK = os.environ.get("LINLI_POLICY", "beijing-2024")

# Plausible locations: a facility, site or compound this far outside the city's communities is
# saved with a warning giving the distance, and refused beyond the second figure (metres).
LOCATION_WARN_OUTSIDE_M = env_int("LINLI_LOCATION_WARN_M", 200)
LOCATION_REFUSE_OUTSIDE_M = env_int("LINLI_LOCATION_REFUSE_M", 20_000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LINLI_LOG_LEVEL", "WARNING")},
}

# --- Tamper-evident logs, import caps, backups (issue 13, part B; docs/operations.md) ---
# The key of the logs' hash chain and signed checkpoints. Set it, keep it apart from the
# database and never change it: rows sealed under another key no longer verify.
AUDIT_KEY = os.environ.get("LINLI_AUDIT_KEY") or f"derived-from-secret-key:{SECRET_KEY}"
AUDIT_CHECKPOINT_EVERY = env_int("LINLI_AUDIT_CHECKPOINT_EVERY", 100)
# The off-machine copy: udp://host:514, tcp://host:601 or unix:///dev/log (RFC 5424).
AUDIT_SYSLOG = os.environ.get("LINLI_AUDIT_SYSLOG", "")
if AUDIT_SYSLOG:
    LOGGING["handlers"]["audit_syslog"] = {
        "()": "linli.audit.syslog.handler_from_url",
        "url": AUDIT_SYSLOG,
    }
    LOGGING["loggers"] = {
        "linli.audit.syslog": {"handlers": ["audit_syslog"], "level": "INFO", "propagate": False}
    }
# Every importer checks these before it reads a row (xlsx: declared sizes and dimension).
IMPORT_MAX_UNZIPPED_BYTES = env_int("LINLI_IMPORT_MAX_UNZIPPED_MB", 100) * 1024 * 1024
IMPORT_MAX_ROWS = env_int("LINLI_IMPORT_MAX_ROWS", 50_000)
IMPORT_MAX_COLUMNS = env_int("LINLI_IMPORT_MAX_COLUMNS", 100)
IMPORT_MAX_CELL_CHARS = env_int("LINLI_IMPORT_MAX_CELL_CHARS", 32_767)  # Excel's own limit
# The API accepts what its OpenAPI schema documents and nothing else (schemathesis checks it).
REST_FRAMEWORK |= {
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "linli.api.pagination.StrictLimitOffsetPagination",
    "DEFAULT_FILTER_BACKENDS": ["linli.api.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "linli.api.schema.LinliAutoSchema",
}
# Other systems authenticate with a token; the schema documents that scheme only.
SPECTACULAR_SETTINGS["AUTHENTICATION_WHITELIST"] = [
    "rest_framework.authentication.TokenAuthentication"
]

# Residents' participation (linli.participation). The address residents open from a poster's
# QR code when the platform is reached from outside under another name than the staff's.
PUBLIC_URL = os.environ.get("LINLI_PUBLIC_URL", "")
# Public answers and comments per client address within ten minutes (the rate limit).
LINLI_PUBLIC_SUBMISSION_LIMIT = env_int("LINLI_PUBLIC_SUBMISSION_LIMIT", 5)
# The challenge on public forms: a sum drawn as a picture by the platform itself
# (django-simple-captcha), no third-party service; valid for 20 minutes of form filling.
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.math_challenge"
CAPTCHA_TIMEOUT = 20
CAPTCHA_FONT_SIZE = 30
