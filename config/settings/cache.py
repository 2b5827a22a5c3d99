"""The cache, from CACHE_URL: Redis shared by every process, or each process's own memory.

Waymark keeps nothing only in the cache that must survive: sign-in throttling is in the
database, and so are sessions, which with CACHE_URL are also kept in the shared cache and
read from there (written to both). Wagtail
caches what it reads on most requests (the sites' root paths, image renditions, locale
names) and forgets an entry when it changes, but only in the cache of the process that
changed it: with a cache per process the others serve the old entry until it expires
(an hour for the sites). CACHE_URL=redis://HOST:PORT/DB gives every process, on every
machine, the same cache, so a change is seen at once everywhere.
"""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_url = os.environ.get("CACHE_URL", "")


def _without_password(parts) -> str:
    """The URL's user, host and port, its password written as "…" (rebuilt from the parts,
    so that a password that also appears elsewhere in the URL is not shown there)."""
    user, _, host = parts.netloc.rpartition("@")
    return f"{user.partition(':')[0]}:…@{host}"


def _checked(url: str) -> str:
    """The URL, if Django's Redis cache can use it; refused saying what is wrong (its
    password, if it has one, left out)."""
    parts = urlsplit(url)
    shown = url if parts.password is None else parts._replace(netloc=_without_password(parts)).geturl()
    try:
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        raise ImproperlyConfigured(f"CACHE_URL's port must be a number, not {shown!r}.") from None
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"CACHE_URL must be redis://HOST:PORT/DB (rediss:// over TLS), not {shown!r}."
        )
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise ImproperlyConfigured(
            f"CACHE_URL's database must be a number (redis://HOST:PORT/1), not {shown!r}."
        )
    return url


if _url:
    CACHES = {
        "default": {
            "BACKEND": "common.redis_cache.RedisCache",
            "LOCATION": _checked(_url),
        }
    }
    # Wagtail's import of redirects keeps the uploaded file between its two steps; in
    # the shared cache, the second step finds it whichever process (or machine) answers.
    WAGTAIL_REDIRECTS_FILE_STORAGE = "cache"
    # Sessions are read from the shared cache and written through to the database, which
    # stays their record: a request then costs no query for its session. Only with a cache
    # every process shares: one per process would keep a session's old contents in one
    # process after another changed it.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Catalogue pages kept whole for visitors (units.visitor_pages): only where a publication
# in any process reaches the pages every process keeps.
WAYMARK_VISITOR_PAGES = bool(_url)
# Portfolios, caseloads and samples kept for their readers (common.reader_pages): the
# same condition, for changes made in any process, the worker's included.
WAYMARK_READER_PAGES = bool(_url)
