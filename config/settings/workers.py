"""The background task workers (issue 15, "workers under scale-out"): how often each says
it is alive, and how long a silent one has before its task is given to another."""

import os

from django.core.exceptions import ImproperlyConfigured

# Each ``manage.py db_worker`` process records that it is alive this often (seconds), in
# a thread of its own, so a worker busy with a long render still says so.
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))
# A worker not heard from for this long is taken to be dead (killed, out of memory, its
# machine gone): the task it was running is put back for another worker, and the health
# check counts it no more. Several beats, so that a slow database or a long pause for
# garbage collection is not taken for a death.
WORKER_LOST_AFTER_SECONDS = float(os.environ.get("WORKER_LOST_AFTER_SECONDS", "60"))
# A task whose worker was lost this many times is marked failed, not put back again: a
# task that kills its worker (a render too big for the memory) would otherwise kill every
# worker in turn, for ever.
TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", "3"))

if WORKER_HEARTBEAT_SECONDS <= 0 or WORKER_LOST_AFTER_SECONDS < 2 * WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "WORKER_LOST_AFTER_SECONDS must be at least twice WORKER_HEARTBEAT_SECONDS, which must "
        f"be above 0 (they are {WORKER_LOST_AFTER_SECONDS:g} and {WORKER_HEARTBEAT_SECONDS:g}): "
        "a worker between two beats would otherwise be taken for dead."
    )
if TASK_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured(f"TASK_MAX_ATTEMPTS must be at least 1, not {TASK_MAX_ATTEMPTS}.")
