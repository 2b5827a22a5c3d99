"""Settings for the test suite: Waymark's own, plus a small app that stands in for the
models of later features (evidence, decisions) that point at catalogue rows."""

import os
from pathlib import Path

os.environ.setdefault("WAYMARK_ENVIRONMENT", "test")
os.environ.setdefault("EVIDENCE_ROOT", str(Path(__file__).resolve().parent.parent / "var" / "test-evidence"))
os.environ.setdefault("WAYMARK_REQUIRE_TWO_FACTOR", "false")  # the security tests turn it on
os.environ.setdefault("TASK_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")

from config.settings import *  # noqa: F403
from config.settings import EVIDENCE_ROOT, INSTALLED_APPS, MEDIA_ROOT, STORAGES

# Under pytest-xdist (``scripts/test -n 2``) each worker, gw0, gw1, ..., keeps its files apart
# from the others': evidence, media and (pytest-django adds the "_gw0" suffix) the test
# database. Not through the environment, which the workers inherit from the run that starts them.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if WORKER:
    EVIDENCE_ROOT = EVIDENCE_ROOT.with_name(f"{EVIDENCE_ROOT.name}-{WORKER}")
    MEDIA_ROOT = MEDIA_ROOT.with_name(f"{MEDIA_ROOT.name}-{WORKER}")
    if "location" in STORAGES["evidence"]["OPTIONS"]:
        STORAGES = {
            **STORAGES,
            "evidence": {
                **STORAGES["evidence"],
                "OPTIONS": {**STORAGES["evidence"]["OPTIONS"], "location": EVIDENCE_ROOT},
            },
        }

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
if mail_folder := os.environ.get("WAYMARK_TEST_MAIL_DIR"):
    # A journey's task worker, in a process of its own: what it sends is written there for
    # the journey to read (``e2e.people.invitation_link``).
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": mail_folder},
        }
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared in-memory database: the browser journeys' live server
    # answers requests in threads of its own, and one SQLite connection shared between
    # threads fails under concurrent requests (as production never shares one).
    # WAYMARK_TEST_SQLITE names another file, so that two runs at once do not share one;
    # pytest-django gives each xdist worker its own (this name with "_gw0", "_gw1", ...).
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get("WAYMARK_TEST_SQLITE", str(VAR_DIR / "test-waymark.sqlite3"))  # noqa: F405
    }
