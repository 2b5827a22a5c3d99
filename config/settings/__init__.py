"""Waymark settings.

Every deploy-time choice comes from an environment variable, so one settings module
serves a laptop, CI and production. With nothing set, Waymark runs for development on
SQLite under ``var/``. ``WAYMARK_ENVIRONMENT=production`` turns on the checks that make
an unsafe deployment refuse to start.
"""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

# The settings of each concern are a module of this package; this one holds the rest. A
# module's every upper-case name is a setting (Django ignores the others).
from config.settings.cache import *  # noqa: F403
from config.settings.database import *  # noqa: F403
from config.settings.database import DATABASES
from config.settings.environment import *  # noqa: F403
from config.settings.environment import BASE_DIR, DEBUG, IS_PRODUCTION, env_bool, env_count, env_list
from config.settings.https import *  # noqa: F403
from config.settings.storage import *  # noqa: F403
from config.settings.workers import *  # noqa: F403

DEVELOPMENT_SECRET_KEY = "waymark-development-only-secret-key-never-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
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
    # django-otp's, with the device that verified the session kept in it.
    "accounts.middleware.KeptDeviceOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A visitor's catalogue page, kept whole (units.visitor_pages): given before the
    # middleware that find a person's centre and roles, and Wagtail's routing, have run;
    # those above add their headers to it as to any answer.
    "units.visitor_pages.VisitorPagesMiddleware",
    "centre.middleware.CentreScopeMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "moderation.middleware.ModeratorAccessMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Wagtail's database search backend uses PostgreSQL's full-text search there.
    INSTALLED_APPS.append("django.contrib.postgres")

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
                # After Django's own form token: a page kept for its reader holds a
                # placeholder in its place (common.reader_pages).
                "common.reader_pages.csrf_context",
            ],
        },
    },
]


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
# No Gravatar: it would send a hash of every editor's email address to gravatar.com from
# the admin's pages (which the Content-Security-Policy blocks anyway, leaving a broken
# picture); Wagtail shows its own default avatar instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

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
# Processes laying out one bundle side by side, in each task worker; 0: one for each core
# the worker may use.
BUNDLE_RENDER_PROCESSES = env_count("BUNDLE_RENDER_PROCESSES", 0)

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
