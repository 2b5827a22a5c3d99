"""Waymark settings.

Every deploy-time choice comes from an environment variable, so one settings module
serves a laptop, CI and production. With nothing set, Waymark runs for development on
SQLite under ``var/``. ``WAYMARK_ENVIRONMENT=production`` turns on the checks that make
an unsafe deployment refuse to start.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WAYMARK_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


ENVIRONMENT = os.environ.get("WAYMARK_ENVIRONMENT", "development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"WAYMARK_ENVIRONMENT must be development, test or production, not {ENVIRONMENT!r}."
    )
IS_PRODUCTION = ENVIRONMENT == "production"

DEVELOPMENT_SECRET_KEY = "waymark-development-only-secret-key-never-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", default=not IS_PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"

if IS_PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "Set SECRET_KEY to a random value of at least 50 characters in production."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS in production.")

# Waymark's own apps, in the order the data flows: each may use those above it in this
# list's infrastructure and the domains before it, never one after it (see
# CONTRIBUTING.md; lint-imports enforces it). This list is the one that names them.
WAYMARK_APPS = [
    "common",
    "accounts",
    "audit",
    "units",
    "centre",
    "learners",
    "portfolio",
    "networking",
    "assessment",
    "iqa",
    "moderation",
    "privacy",
    "operations",
]

INSTALLED_APPS = [
    *WAYMARK_APPS,
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "guardian",
    "django_scopes",
    "import_export",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files, answered before anything else runs (after the HTTPS redirect): see STORAGES.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "accounts.middleware.AdminReportOnlyPolicyMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "centre.middleware.CentreScopeMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "moderation.middleware.ModeratorAccessMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'waymark.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the task worker write to the same file: WAL lets readers run
    # beside a writer, IMMEDIATE takes the write lock up front so a transaction never
    # fails half-way on an upgrade, and the busy timeout makes writers queue, not fail.
    # SQLite's waiting writers are not served in order: when 50 people sign in at the same
    # moment some wait several seconds (at 5 s some failed), hence 30 s.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": ("PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=30000;"),
        "transaction_mode": "IMMEDIATE",
    }
    VAR_DIR.mkdir(parents=True, exist_ok=True)

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Wagtail's database search backend uses PostgreSQL's full-text search there.
    INSTALLED_APPS.append("django.contrib.postgres")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
    "centre.permissions.CentreAdminBackend",
]
# Argon2 for every new or changed password; older hashes are upgraded at sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "centre:home"
LOGOUT_REDIRECT_URL = "/"
# Links in emails (invitations, password resets) point here.
WAYMARK_BASE_URL = os.environ.get("WAYMARK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Dates and times (issue 13, "ui"): one British format everywhere. ---
# config/formats/en_GB/formats.py overrides Django's en-GB "1 Dec 2026" with "1 December
# 2026" and "1 December 2026, 14:05"; the settings below say the same for any other
# locale. Templates use |date and |date:"DATETIME_FORMAT", Python messages common.dates.
FORMAT_MODULE_PATH = ["config.formats"]
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
# --- end of dates and times ---

# Static files. In production collectstatic (run by scripts/serve) gathers them into
# STATIC_ROOT under names that carry a hash of their content, with gzip and Brotli copies,
# and WhiteNoise serves them: a hashed name for ten years ("immutable"), since a changed
# file gets a new name. In development and the tests nothing is collected: WhiteNoise finds
# each file where it lies (the apps' static folders) when it is asked for, and names are
# not hashed, so neither needs collectstatic or its manifest.
_static_files_from_source = DEBUG or ENVIRONMENT == "test"
WHITENOISE_USE_FINDERS = _static_files_from_source
WHITENOISE_AUTOREFRESH = _static_files_from_source
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", VAR_DIR / "evidence"))

# Local folder by default; any Django storage class (for example django-storages'
# "storages.backends.s3.S3Storage", configured through its own AWS_* variables) when set.
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
    },
    # Learners' evidence: private, never under MEDIA_URL; served only through the
    # permission-checking download view. Any storage class may stand in (S3-compatible
    # through django-storages), as long as it does not make the files public.
    "evidence": {
        "BACKEND": os.environ.get("EVIDENCE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {"location": EVIDENCE_ROOT, "base_url": None}
        if "EVIDENCE_STORAGE_BACKEND" not in os.environ
        else {},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if _static_files_from_source
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": {}}}
if EMAIL_BACKEND_PATH == "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", default=False),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Waymark <waymark@localhost>")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

WAGTAIL_SITE_NAME = "Waymark"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# A unit specification is a few kilobytes; anything bigger is not one.
UNIT_IMPORT_MAX_BYTES = int(os.environ.get("UNIT_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))

# Evidence uploads: the largest file, what one learner may store in all, and the most
# pixels an image may declare (a small file can claim a huge canvas to exhaust memory).
EVIDENCE_FILE_MAX_BYTES = int(os.environ.get("EVIDENCE_FILE_MAX_BYTES", str(20 * 1024 * 1024)))
EVIDENCE_QUOTA_BYTES = int(os.environ.get("EVIDENCE_QUOTA_BYTES", str(500 * 1024 * 1024)))
EVIDENCE_IMAGE_MAX_PIXELS = int(os.environ.get("EVIDENCE_IMAGE_MAX_PIXELS", str(50_000_000)))
# Several files go up in one form; Django's default of 100 fields is ample, but the
# number of files is bounded too.
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# Moderation bundles bigger than this are also offered in parts no bigger, for email.
BUNDLE_PART_MAX_BYTES = int(os.environ.get("BUNDLE_PART_MAX_BYTES", str(10 * 1024 * 1024)))

GUARDIAN_RAISE_403 = True
# Visitors never hold per-object permissions; no stand-in account for them.
ANONYMOUS_USER_NAME = None

# Sign-in throttling: this many failures for one account, or from one address, within the
# window, and further attempts are refused until it has passed.
SIGN_IN_FAILURES_PER_ACCOUNT = int(os.environ.get("SIGN_IN_FAILURES_PER_ACCOUNT", "5"))
# A college's learners may all share one address (NAT), so the per-address limit is high.
SIGN_IN_FAILURES_PER_ADDRESS = int(os.environ.get("SIGN_IN_FAILURES_PER_ADDRESS", "50"))
SIGN_IN_FAILURE_WINDOW_SECONDS = int(os.environ.get("SIGN_IN_FAILURE_WINDOW_SECONDS", str(15 * 60)))
# --- Client addresses and throttling of password links (proxies, resets, invitations) ---
# The reverse proxies in front of Waymark (addresses or networks), whose X-Forwarded-For
# is believed: the client is the right-most address there that is none of them. Without
# any, the header is ignored (anyone can send it) and the client is REMOTE_ADDR.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or a network.") from None
# Requests for password links (reset requests, and links that do not work opened to set a
# password) allowed for one email address, or from one address, in the sign-in window.
PASSWORD_LINK_REQUESTS_PER_ACCOUNT = int(os.environ.get("PASSWORD_LINK_REQUESTS_PER_ACCOUNT", "5"))
PASSWORD_LINK_REQUESTS_PER_ADDRESS = int(os.environ.get("PASSWORD_LINK_REQUESTS_PER_ADDRESS", "50"))
# --- end of client addresses and password links ---
# Staff (assessors, IQAs, centre admins, moderators, catalogue editors) must sign in with an
# authenticator app as well as their password; learners may choose to.
WAYMARK_REQUIRE_TWO_FACTOR = env_bool("WAYMARK_REQUIRE_TWO_FACTOR", default=True)
OTP_TOTP_ISSUER = "Waymark"

# Waymark's pages run no inline script or style; Wagtail's admin is held to the same policy
# in report-only mode (accounts.middleware.AdminReportOnlyPolicyMiddleware).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- HTTPS (issue 15, "the production profile") ---
# In production Waymark is reached over HTTPS, through a proxy in front of it that
# terminates TLS and says so in X-Forwarded-Proto (deploy/nginx/waymark.conf): cookies
# are sent over HTTPS only, plain HTTP is redirected to HTTPS and HSTS tells browsers to
# use nothing else. WAYMARK_HTTPS=false is the plain-HTTP mode, for a private network or a
# first try: no cookie is marked Secure (a browser would not send it back over HTTP, so
# nobody could sign in) and nothing redirects. Out of production it is off, for runserver.
WAYMARK_HTTPS = env_bool("WAYMARK_HTTPS", default=IS_PRODUCTION)
if WAYMARK_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The browsers' preload list is a promise that is slow to take back (every browser
    # release ships it), so it is made only when asked for. Django's deploy check warns
    # (security.W021) of a site that is not preloaded: not asking is a choice, not a slip.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    if SECURE_HSTS_PRELOAD and SECURE_HSTS_SECONDS < 365 * 24 * 60 * 60:
        raise ImproperlyConfigured(
            "SECURE_HSTS_PRELOAD needs SECURE_HSTS_SECONDS of at least 31536000 (a year), "
            "as the preload list requires."
        )
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    if env_bool("BEHIND_TLS_PROXY", default=True):
        # Only behind a proxy that sets this header itself, replacing any a client sent
        # (deploy/nginx/waymark.conf does); scripts/serve listens on 127.0.0.1 alone.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
else:
    # Plain HTTP promises never to redirect and never to set a Secure cookie: a setting
    # that would break that promise is refused, not quietly ignored.
    for _name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_PRELOAD", "BEHIND_TLS_PROXY"):
        if env_bool(_name, default=False):
            _why = "." if "WAYMARK_HTTPS" in os.environ else " (its default outside production)."
            raise ImproperlyConfigured(f"{_name}=true needs HTTPS, but WAYMARK_HTTPS is false{_why}")
# --- end of HTTPS ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line escaped (audit.logging): a newline in a name cannot forge a log entry.
    "formatters": {
        "escaped": {"()": "audit.logging.EscapingFormatter", "format": "%(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "escaped"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Wagtail logs every page action at INFO; the audit trail and page history keep them.
    # WeasyPrint reports every layout step at INFO; the bundle's own progress is on its page.
    "loggers": {
        "wagtail": {"level": "WARNING"},
        "django.tasks": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}
