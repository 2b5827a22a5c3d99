"""``manage.py db_worker``: django-tasks-db's worker, made to outlive a database restart.

django-tasks-db's worker loop re-raises any database error other than "database is
locked", so a PostgreSQL restart (every connection terminated, then connections refused
for a few seconds) ends the worker for good, and nothing runs bundles or indexing until
someone notices. This command keeps its name, options and behaviour (it shadows the
package's command because ``centre`` comes earlier in ``INSTALLED_APPS``) and adds one
thing: on a database error it closes the broken connections, waits (1 s, doubling to at
most ``--max-backoff``), and carries on polling.

And a heartbeat, for more than one worker: a thread records every
``WORKER_HEARTBEAT_SECONDS`` that this worker is alive (in its own connection, so a long
task does not silence it), and gives back the tasks of workers not heard from for
``WORKER_LOST_AFTER_SECONDS`` (``operations.services``). A worker that stops as asked
removes its heartbeat; one that is killed simply falls silent.
"""

import logging
import os
import threading
import time

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from operations.services import forget_worker, reclaim_lost_tasks, record_heartbeat

logger = logging.getLogger("waymark.worker")

# The database errors a lost or refused connection raises; other errors are bugs and
# should still stop the worker loudly.
CONNECTION_ERRORS = (OperationalError, InterfaceError)


def close_broken_connections() -> None:
    """Drop every connection, so that the next query opens a fresh one. Closing a
    connection whose server has gone can itself fail; the error says nothing new."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DatabaseError:
            connection.connection = None


class Heartbeat(threading.Thread):
    """Beats at once, then every ``interval`` seconds until stopped: records that the
    worker is alive and gives back the tasks of lost workers. A beat that cannot reach
    the database is logged and tried again at the next; the worker's loop deals with the
    outage itself."""

    def __init__(self, *, worker_id: str, interval: float):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while True:
                self.beat()
                if self.stopping.wait(self.interval):
                    return
        finally:
            connections.close_all()  # this thread's own

    def beat(self) -> None:
        try:
            record_heartbeat(worker_id=self.worker_id, started_at=self.started_at)
            reclaim_lost_tasks()
        except CONNECTION_ERRORS as error:
            logger.warning("The heartbeat could not reach the database (%s).", type(error).__name__)
            close_broken_connections()
        except Exception:
            # Never the end of the thread: a worker that stops beating while it works
            # would have its task given to another.
            logger.exception("The heartbeat failed; trying again at the next.")

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=self.interval + 5)
        try:
            forget_worker(worker_id=self.worker_id)
        except CONNECTION_ERRORS:
            # Silent from now on, it is taken for lost in time, and a task it left is given back.
            close_broken_connections()


class ReconnectingWorker(db_worker.Worker):
    def __init__(self, *, max_backoff: float, **kwargs):
        super().__init__(**kwargs)
        self.max_backoff = max_backoff

    def run(self) -> None:
        # Here, not in handle(): under --reload only the child process, which runs tasks, beats.
        heartbeat = Heartbeat(worker_id=self.worker_id, interval=settings.WORKER_HEARTBEAT_SECONDS)
        heartbeat.start()
        try:
            self._poll()
        finally:  # also on the SystemExit with which a signal stops an idle worker
            heartbeat.stop()

    def _poll(self) -> None:
        backoff = 1.0
        while self.running:
            started = time.monotonic()
            try:
                super().run()
                return  # --batch or --max-tasks: the loop ended as asked
            except CONNECTION_ERRORS as error:
                if time.monotonic() - started > 2 * self.max_backoff:
                    backoff = 1.0  # it had been working again for a while: start over
                logger.warning(
                    "The database could not be reached (%s); trying again in %.0f s.",
                    str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__,
                    backoff,
                )
                close_broken_connections()
                # The signal handler exits at once while no task runs, as in the loop.
                time.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)


class Command(db_worker.Command):
    help = "Run the background task worker; it reconnects after the database restarts."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--max-backoff",
            type=db_worker.valid_interval,
            default=30.0,
            help="The longest wait (seconds) between attempts to reach the database again (default: 30)",
        )

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        max_backoff: float,
        **options,
    ) -> None:
        # As the package's handle(), with our worker in place of its own.
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("--reload and --batch cannot be specified together. Disabling autoreload.")
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ReconnectingWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
            max_backoff=max_backoff,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child process runs tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
