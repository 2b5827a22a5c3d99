"""PostgreSQL's connections, as each environment resolves them (config/settings/database.py):
a pool per process by default, or persistent connections for a pooler in front; and the
pool at work in gunicorn, reusing its connections and replacing those the server ended."""

import json
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.config.serving import administration, backends, database_url, serving_web, unique_name
from tests.settings_probe import in_waymark_process

POSTGRESQL = "postgres://waymark:secret@db.example.org:5432/waymark?sslmode=require"

PROBE = """
import json

from django.conf import settings
from psycopg_pool import ConnectionPool

database = settings.DATABASES["default"]
pool = database.get("OPTIONS", {}).get("pool")
if pool:
    pool = {**pool, "check": pool["check"] == ConnectionPool.check_connection}
print(json.dumps({
    "engine": database["ENGINE"],
    "pool": pool,
    "sslmode": database.get("OPTIONS", {}).get("sslmode"),
    "conn_max_age": database["CONN_MAX_AGE"],
    "health_checks": database["CONN_HEALTH_CHECKS"],
    "server_side_cursors": not database["DISABLE_SERVER_SIDE_CURSORS"],
}))
"""


def load_settings(tmp_path, **environment: str) -> subprocess.CompletedProcess:
    """The settings in a new process with only this environment; nothing connects."""
    return in_waymark_process(tmp_path, PROBE, **environment)


def resolved(tmp_path, **environment: str) -> dict:
    result = load_settings(tmp_path, **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgresql_connections_are_pooled_without_being_asked(tmp_path):
    database = resolved(tmp_path, DATABASE_URL=POSTGRESQL)
    assert database["pool"] == {"min_size": 2, "max_size": 4, "check": True, "timeout": 10}
    assert database["conn_max_age"] == 0  # Django refuses persistent connections beside a pool
    assert database["sslmode"] == "require"  # the URL's own options are kept beside the pool


def test_the_pool_is_sized_from_the_environment(tmp_path):
    database = resolved(
        tmp_path,
        DATABASE_URL=POSTGRESQL,
        DATABASE_POOL_MIN_SIZE="0",
        DATABASE_POOL_MAX_SIZE="8",
        DATABASE_POOL_TIMEOUT="5",
    )
    assert database["pool"] == {"min_size": 0, "max_size": 8, "check": True, "timeout": 5}


def test_without_the_pool_connections_persist_and_are_checked(tmp_path):
    database = resolved(tmp_path, DATABASE_URL=POSTGRESQL, DATABASE_POOL="false")
    assert database["pool"] is None
    assert database["conn_max_age"] == 60
    assert database["health_checks"] is True
    assert database["server_side_cursors"] is True


def test_behind_a_transaction_pooler_server_side_cursors_can_be_turned_off(tmp_path):
    database = resolved(
        tmp_path,
        DATABASE_URL=POSTGRESQL,
        DATABASE_POOL="false",
        DATABASE_CONN_MAX_AGE="0",
        DATABASE_SERVER_SIDE_CURSORS="false",
    )
    assert (database["pool"], database["conn_max_age"], database["server_side_cursors"]) == (None, 0, False)


def test_sqlite_has_no_pool_and_a_connection_per_request(tmp_path):
    database = resolved(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'waymark.sqlite3'}")
    assert database["engine"] == "django.db.backends.sqlite3"
    assert (database["pool"], database["conn_max_age"]) == (None, 0)


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"DATABASE_CONN_MAX_AGE": "60"},
            "DATABASE_CONN_MAX_AGE applies only with DATABASE_POOL=false",
        ),
        (
            {"DATABASE_POOL_MIN_SIZE": "6"},
            "DATABASE_POOL_MAX_SIZE (4) must be at least DATABASE_POOL_MIN_SIZE (6)",
        ),
        (
            {"DATABASE_POOL_MAX_SIZE": "0"},
            "DATABASE_POOL_MAX_SIZE must be a whole number of at least 1, not '0'",
        ),
        (
            {"DATABASE_POOL_MIN_SIZE": "two"},
            "DATABASE_POOL_MIN_SIZE must be a whole number of at least 0, not 'two'",
        ),
        ({"DATABASE_POOL": "maybe"}, "DATABASE_POOL must be true or false, not 'maybe'"),
    ],
)
def test_settings_the_pool_cannot_use_are_refused_saying_why(tmp_path, environment, message):
    result = load_settings(tmp_path, DATABASE_URL=POSTGRESQL, **environment)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


# gunicorn's processes and the pool of each, small so that a pool that did not reuse its
# connections could not stay within the bound.
PROCESSES, THREADS, POOL_SIZE = 2, 2, 2


def get(url: str) -> int:
    try:
        return requests.get(url, timeout=30).status_code
    except requests.RequestException:
        return 0  # no answer at all


@pytest.mark.postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_gunicorn_reuses_its_connections_and_replaces_those_the_server_ends(tmp_path):
    name = unique_name("pool")
    with (
        serving_web(
            tmp_path,
            "web",
            DATABASE_URL=database_url(name),
            WEB_CONCURRENCY=str(PROCESSES),
            WEB_THREADS=str(THREADS),
            DATABASE_POOL_MIN_SIZE="1",
            DATABASE_POOL_MAX_SIZE=str(POOL_SIZE),
        ) as (base,),
        administration() as admin,
    ):
        home = f"{base}/"  # Wagtail's page: the site and the page are read from the database
        assert get(home) == 200

        # (a) Request after request, one at a time and several at once, is served by the
        # same few connections: every one seen is still open, and no more than the pools hold.
        seen, before = set(), None
        for _ in range(20):
            assert get(home) == 200
            now = backends(admin, name)
            before = before or now
            seen |= now
        with ThreadPoolExecutor(max_workers=PROCESSES * THREADS * 2) as pool:
            assert set(pool.map(get, [home] * 40)) == {200}
        seen |= backends(admin, name)
        assert before, "no connection was kept open between requests"
        assert len(seen) <= PROCESSES * POOL_SIZE, seen
        assert before <= backends(admin, name)  # the first connections are still the ones in use

        # (b) PostgreSQL ends every one of them, as its restart does (the test's own
        # connections, which are not Waymark's, stay). gunicorn is not restarted: each pool
        # finds its connections dead as it lends them, and opens others.
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s",
            [name],
        ).fetchone()[0]
        assert ended >= len(before)
        deadline = time.monotonic() + 10
        while backends(admin, name) & seen and time.monotonic() < deadline:
            time.sleep(0.1)  # the ended backends leave pg_stat_activity
        time.sleep(1)  # a short moment, in which requests in flight may have failed
        with ThreadPoolExecutor(max_workers=PROCESSES * THREADS) as pool:
            answers = list(pool.map(get, [home] * 30))
        assert answers == [200] * 30, answers
        after = backends(admin, name)
        assert after and not after & seen, (seen, after)  # new connections, none of the old
