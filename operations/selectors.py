"""Reads about the running installation: which task workers are alive, and whether the
parts a request needs (the database, the storages) answer."""

import datetime
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import DatabaseError, connection
from django.db.models.functions import Now

from operations.models import WorkerHeartbeat

logger = logging.getLogger("waymark.health")

# The storages every page that shows evidence or a bundle needs.
CHECKED_STORAGES = ("default", "evidence")
# The name the storage check asks about. Whether it exists does not matter: asking is
# what reaches the storage, and an unreachable one raises.
PROBE_NAME = "waymark-health-check"


def lost_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.WORKER_LOST_AFTER_SECONDS)


def live_worker_exists() -> bool:
    """Whether any task worker has said it is alive within ``WORKER_LOST_AFTER_SECONDS``."""
    return WorkerHeartbeat.objects.filter(seen_at__gte=Now() - lost_after()).exists()


def health() -> dict[str, bool]:
    """Whether the database, the storages and at least one task worker answer, each by
    itself: one query for the database, one for the workers, one look at each storage."""
    database = _answers("database", _database_answers)
    return {
        "database": database,
        "storage": _answers("storage", _storages_answer),
        # Without the database nobody can tell; the part that failed is the database.
        "worker": database and _answers("worker", live_worker_exists),
    }


def _answers(part: str, check) -> bool:
    try:
        return bool(check())
    except Exception:  # whatever a broken part raises, the answer is that it failed
        logger.exception("The health check of the %s failed", part)
        return False


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        # The connection may be broken for good (the server restarted): the next request
        # opens a new one, instead of failing on this one.
        connection.close_if_unusable_or_obsolete()
        raise


def _storages_answer() -> bool:
    for alias in CHECKED_STORAGES:
        storage = storages[alias]
        # On a disk, exists() cannot fail, whatever state the disk is in: the folder is
        # looked at as well.
        if isinstance(storage, FileSystemStorage) and not _writable_folder(Path(storage.location)):
            logger.error("The %s storage's folder %s cannot be written", alias, storage.location)
            return False
        storage.exists(PROBE_NAME)
    return True


def _writable_folder(path: Path) -> bool:
    """Whether files can be saved under ``path``: a folder Waymark may write in (not, say,
    a disk the kernel remounted read-only after errors), or one not made yet (a new
    installation's) whose nearest existing parent is, since the first file saved makes it."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)
