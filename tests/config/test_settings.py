import os
import subprocess
import sys
from pathlib import Path

import pytest

# Read in processes of their own, with the environment each test gives them: the suite's
# database has no part in it.
pytestmark = pytest.mark.any_database

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 64


def run_django(code: str, **environment: str) -> subprocess.CompletedProcess:
    """Start Waymark with only the given environment, as a deployment would."""
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **environment}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_with_no_environment_it_runs_for_development(tmp_path):
    result = run_django(
        "from django.conf import settings; print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])",
        WAYMARK_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"DEBUG": "true", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "waymark.example"},
            "DEBUG must be off",
        ),
        ({"ALLOWED_HOSTS": "waymark.example"}, "Set SECRET_KEY"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "waymark.example"}, "Set SECRET_KEY"),
        ({"SECRET_KEY": STRONG_KEY}, "Set ALLOWED_HOSTS"),
        ({"DEBUG": "perhaps", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "w"}, "DEBUG must be true or false"),
    ],
)
def test_production_refuses_to_start_when_unsafe(tmp_path, environment, message):
    result = run_django("", WAYMARK_ENVIRONMENT="production", WAYMARK_VAR_DIR=str(tmp_path), **environment)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_starts_when_configured(tmp_path):
    result = run_django(
        "from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)",
        WAYMARK_ENVIRONMENT="production",
        WAYMARK_VAR_DIR=str(tmp_path),
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="waymark.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_sqlite_is_configured_for_a_web_server_and_a_worker_at_once(tmp_path):
    result = run_django(
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    print(*(c.execute(f'PRAGMA {p}').fetchone()[0] for p in ('journal_mode', 'busy_timeout')))\n"
        "print(connection.transaction_mode)",
        DATABASE_URL=f"sqlite:///{tmp_path / 'waymark.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "30000", "IMMEDIATE"]


def test_database_url_selects_postgresql():
    result = run_django(
        "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'])",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/waymark",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "waymark"]


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"WORKER_HEARTBEAT_SECONDS": "10s"},
            "WORKER_HEARTBEAT_SECONDS must be a number of seconds above 0, not '10s'",
        ),
        (
            {"WORKER_LOST_AFTER_SECONDS": "0"},
            "WORKER_LOST_AFTER_SECONDS must be a number of seconds above 0, not '0'",
        ),
        (
            {"TASK_MAX_ATTEMPTS": "three"},
            "TASK_MAX_ATTEMPTS must be a whole number of at least 1, not 'three'",
        ),
        ({"WORKER_LOST_AFTER_SECONDS": "15"}, "WORKER_LOST_AFTER_SECONDS must be at least twice"),
    ],
)
def test_worker_settings_that_are_not_numbers_are_refused_saying_which(tmp_path, environment, message):
    result = run_django("pass", WAYMARK_VAR_DIR=str(tmp_path), **environment)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr
