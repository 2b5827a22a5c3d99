from django.db import models


class WorkerHeartbeat(models.Model):
    """A background task worker (one ``manage.py db_worker`` process) and when it last
    said it was alive. A worker that stops saying so for ``WORKER_LOST_AFTER_SECONDS`` is
    dead: the task it was running is given to another (``operations.services``), and the
    health check no longer counts it. A worker that stops as asked removes its row."""

    # django-tasks-db's own worker id, which it records on each task the worker claims.
    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"Worker {self.worker_id} on {self.hostname} (process {self.pid})"
