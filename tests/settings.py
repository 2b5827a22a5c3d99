"""Settings for the test suite: Waymark's own, plus a small app that stands in for the
models of later features (evidence, decisions) that point at catalogue rows."""

import os
from pathlib import Path

os.environ.setdefault("WAYMARK_ENVIRONMENT", "test")
os.environ.setdefault("EVIDENCE_ROOT", str(Path(__file__).resolve().parent.parent / "var" / "test-evidence"))
os.environ.setdefault("WAYMARK_REQUIRE_TWO_FACTOR", "false")  # the security tests turn it on
os.environ.setdefault("TASK_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared in-memory database: the browser journeys' live server
    # answers requests in threads of its own, and one SQLite connection shared between
    # threads fails under concurrent requests (as production never shares one).
    # WAYMARK_TEST_SQLITE names another file, so that two runs at once do not share one.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get("WAYMARK_TEST_SQLITE", str(VAR_DIR / "test-waymark.sqlite3"))  # noqa: F405
    }
