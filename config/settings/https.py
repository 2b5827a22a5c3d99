"""HTTPS (issue 15, "the production profile"): cookies, redirect and HSTS behind a TLS
proxy, or the plain-HTTP mode."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.settings.environment import IS_PRODUCTION, env_bool

# In production Waymark is reached over HTTPS, through a proxy in front of it that
# terminates TLS and says so in X-Forwarded-Proto (deploy/nginx/waymark.conf): cookies
# are sent over HTTPS only, plain HTTP is redirected to HTTPS and HSTS tells browsers to
# use nothing else. WAYMARK_HTTPS=false is the plain-HTTP mode, for a private network or a
# first try: no cookie is marked Secure (a browser would not send it back over HTTP, so
# nobody could sign in) and nothing redirects. Out of production it is off, for runserver.
WAYMARK_HTTPS = env_bool("WAYMARK_HTTPS", default=IS_PRODUCTION)
# The health check (operations.views.health) answers plain HTTP too: a load balancer
# probes each server directly, inside the network, and takes a redirect for a failure.
# It carries no cookie and no personal data, so nothing is exposed by answering it.
SECURE_REDIRECT_EXEMPT = [r"^-/health$"]
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
