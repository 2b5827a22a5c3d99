"""The background task workers (issue 15, "workers under scale-out"): how often each says
it is alive, and how long a silent one has before its task is given to another."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.environment import env_count, env_seconds

# Each ``manage.py db_worker`` process records that it is alive this often (seconds), in
# a thread of its own, so a worker busy with a long render still says so.
WORKER_HEARTBEAT_SECONDS = env_seconds("WORKER_HEARTBEAT_SECONDS", 10)
# A worker not heard from for this long is taken to be dead (killed, out of memory, its
# machine gone): the task it was running is put back for another worker, and the health
# check counts it no more. Several beats, so that a slow database or a long pause for
# garbage collection is not taken for a death.
WORKER_LOST_AFTER_SECONDS = env_seconds("WORKER_LOST_AFTER_SECONDS", 60)
# A task whose worker was lost this many times is marked failed, not put back again: a
# task that kills its worker (a render too big for the memory) would otherwise kill every
# worker in turn, for ever.
TASK_MAX_ATTEMPTS = env_count("TASK_MAX_ATTEMPTS", 3, least=1)

if WORKER_LOST_AFTER_SECONDS < 2 * WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "WORKER_LOST_AFTER_SECONDS must be at least twice WORKER_HEARTBEAT_SECONDS "
        f"(they are {WORKER_LOST_AFTER_SECONDS:g} and {WORKER_HEARTBEAT_SECONDS:g}): "
        "a worker between two beats would otherwise be taken for dead."
    )
