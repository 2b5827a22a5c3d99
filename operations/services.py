"""The task workers' own bookkeeping: each says it is alive (``record_heartbeat``), and
any of them gives the tasks of a dead one to the others (``reclaim_lost_tasks``).

django-tasks-db claims a task with ``SELECT … FOR UPDATE SKIP LOCKED`` (on SQLite, in an
exclusive transaction), so two workers never start the same task; but it records only
which worker took it, never whether that worker is still alive, and a worker killed
mid-task (SIGKILL, out of memory, its machine gone) leaves the task RUNNING for ever.
Nothing here is audited: it is the machinery's state, not anything a person did; each
task given back is logged.
"""

import datetime
import logging
import os
import socket
from traceback import format_exception

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from operations.models import WorkerHeartbeat
from operations.selectors import lost_after

logger = logging.getLogger("waymark.worker")


class WorkerLost(Exception):
    """Recorded on a task whose worker died while running it ``TASK_MAX_ATTEMPTS`` times."""


def record_heartbeat(*, worker_id: str, started_at: datetime.datetime) -> None:
    """Say that this worker process is alive, now by the database's clock: workers on
    several machines are compared on one clock, whatever their own say."""
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=Now()):
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            hostname=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=started_at,
            seen_at=Now(),
        )


def forget_worker(*, worker_id: str) -> None:
    """A worker that stops as asked has finished its task: it is not lost, and not alive."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


@transaction.atomic
def reclaim_lost_tasks() -> list[DBTaskResult]:
    """Every running task whose worker has not been heard from for
    ``WORKER_LOST_AFTER_SECONDS`` (or left no heartbeat at all), put back to be run by
    another worker; one whose worker was lost ``TASK_MAX_ATTEMPTS`` times is marked failed
    instead. Returns the tasks as they were found.

    Put back, not failed and queued anew: the task keeps its id (what ``get_result``
    answers for), its priority and its place in the queue, and ``worker_ids`` keeps every
    worker that had it. That runs a task again, so it is right for a task that is safe to
    run twice, as Waymark's are (a bundle render publishes once, whoever finishes it:
    ``moderation.bundle.jobs``). Each change is made only if the task is still as it was
    found (running, since the same start), so two workers reclaiming at once, or a worker
    finishing the task just then, settle it by the row count, without a lock."""
    now = timezone.now()
    cutoff = Now() - lost_after()
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    for lost in WorkerHeartbeat.objects.filter(seen_at__lt=cutoff):
        logger.warning("Worker %s on %s (process %s) was lost: last seen %s.", *_described(lost))
    WorkerHeartbeat.objects.filter(seen_at__lt=cutoff).delete()
    # A worker writes its first heartbeat before it claims anything, so a task started
    # longer ago than the cutoff whose worker is not alive has lost it.
    candidates = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
    reclaimed = [task for task in candidates if not task.worker_ids or task.worker_ids[-1] not in alive]
    for task in reclaimed:
        as_found = DBTaskResult.objects.filter(pk=task.pk, status="RUNNING", started_at=task.started_at)
        if len(task.worker_ids) >= settings.TASK_MAX_ATTEMPTS:
            error = WorkerLost(
                f"The worker running this task was lost {len(task.worker_ids)} times "
                f"(TASK_MAX_ATTEMPTS is {settings.TASK_MAX_ATTEMPTS}); it is not run again."
            )
            changed = as_found.update(
                status="FAILED",
                finished_at=now,
                return_value=None,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback="".join(format_exception(error)),
            )
            outcome = "marked failed"
        else:
            changed = as_found.update(status="READY")
            outcome = "put back for another worker"
        if changed:
            logger.warning(
                "Task %s (%s) was running on lost worker %s; %s.",
                task.pk,
                task.task_path,
                task.worker_ids[-1] if task.worker_ids else "(none)",
                outcome,
            )
    return reclaimed


def _described(heartbeat: WorkerHeartbeat) -> tuple:
    return heartbeat.worker_id, heartbeat.hostname, heartbeat.pid, heartbeat.seen_at.isoformat()
