"""The database, from DATABASE_URL: SQLite under var/ when it is not set.

On PostgreSQL each process keeps a pool of connections (Django's, on psycopg_pool) that
its threads borrow for a request and give back, so a request does not pay for a new
connection, and a connection the server has dropped (a restart, an idle timeout) is
replaced when it is next borrowed instead of failing the request. DATABASE_POOL=false
turns the pool off, for a pooler in front of PostgreSQL (PgBouncer in transaction mode
hands each transaction whichever server connection is free): Django then keeps one
connection per thread for DATABASE_CONN_MAX_AGE seconds, checked before each request.
"""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.settings.environment import VAR_DIR, env_bool, env_count

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'waymark.sqlite3'}"),
        conn_health_checks=True,
    )
}
_ENGINE = DATABASES["default"]["ENGINE"]

if _ENGINE == "django.db.backends.sqlite3":
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

if _ENGINE == "django.db.backends.postgresql" and env_bool("DATABASE_POOL", default=True):
    from psycopg_pool import ConnectionPool

    if env_count("DATABASE_CONN_MAX_AGE", 0, least=0):
        # Django refuses persistent connections beside its pool; say which setting to drop.
        raise ImproperlyConfigured(
            "DATABASE_CONN_MAX_AGE applies only with DATABASE_POOL=false: "
            "the connection pool keeps connections itself."
        )
    # The pool is per process, its connections shared by the process's threads
    # (WEB_THREADS, 2 by default): it keeps the smaller number open, opens more up to the
    # larger when all are lent, and closes those idle for 10 minutes. Every gunicorn
    # process and task worker has one, so PostgreSQL's max_connections must exceed their
    # number times DATABASE_POOL_MAX_SIZE.
    _min_size = env_count("DATABASE_POOL_MIN_SIZE", 2, least=0)
    _max_size = env_count("DATABASE_POOL_MAX_SIZE", 4, least=1)
    if _max_size < _min_size:
        raise ImproperlyConfigured(
            f"DATABASE_POOL_MAX_SIZE ({_max_size}) must be at least DATABASE_POOL_MIN_SIZE ({_min_size})."
        )
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them, not Django
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),  # what the URL's query string set (sslmode, say)
        "pool": {
            "min_size": _min_size,
            "max_size": _max_size,
            # A connection is tried (an empty query) as it is lent: one the server has
            # closed is thrown away and another opened, so a restart of PostgreSQL fails
            # at most the requests in flight.
            "check": ConnectionPool.check_connection,
            # A request waits this long for a free connection, then fails, well inside
            # gunicorn's 60 s.
            "timeout": env_count("DATABASE_POOL_TIMEOUT", 10, least=1),
        },
    }
elif _ENGINE == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env_count("DATABASE_CONN_MAX_AGE", 60, least=0)
    # A transaction-mode pooler may run the next transaction on another server connection,
    # where a server-side cursor (QuerySet.iterator()) does not exist.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = not env_bool(
        "DATABASE_SERVER_SIDE_CURSORS", default=True
    )
else:
    # SQLite's: a connection to a file costs nothing to open, so one per request.
    DATABASES["default"]["CONN_MAX_AGE"] = env_count("DATABASE_CONN_MAX_AGE", 0, least=0)
