"""The database, from DATABASE_URL: SQLite under var/ when it is not set."""

import os

import dj_database_url

from config.settings.environment import VAR_DIR

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
