"""Settings for the test suite: Waymark's own, plus a small app that stands in for the
models of later features (evidence, decisions) that point at catalogue rows."""

import os

os.environ.setdefault("WAYMARK_ENVIRONMENT", "test")
os.environ.setdefault("TASK_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
