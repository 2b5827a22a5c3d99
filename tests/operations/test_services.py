"""A running task whose worker is dead is given back, once the worker has been silent for
WORKER_LOST_AFTER_SECONDS; a live worker's task is left to it; a task that lost its worker
TASK_MAX_ATTEMPTS times is failed, not run again."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from operations.models import WorkerHeartbeat
from operations.services import forget_worker, reclaim_lost_tasks, record_heartbeat
from tests.testapp.tasks import echo

pytestmark = pytest.mark.django_db
LOST_AFTER = datetime.timedelta(seconds=60)


@pytest.fixture(autouse=True)
def timeouts(settings):
    settings.WORKER_LOST_AFTER_SECONDS = LOST_AFTER.total_seconds()
    settings.TASK_MAX_ATTEMPTS = 3


def running(*worker_ids: str, started: datetime.timedelta = 2 * LOST_AFTER) -> DBTaskResult:
    """A task claimed by each of ``worker_ids`` in turn, the last ``started`` ago."""
    row = DBTaskResult.objects.get(pk=DatabaseBackend("default", {}).enqueue(echo, ["hello"], {}).id)
    DBTaskResult.objects.filter(pk=row.pk).update(
        status="RUNNING", worker_ids=list(worker_ids), started_at=timezone.now() - started
    )
    row.refresh_from_db()
    return row


def heartbeat(worker_id: str, *, seen: datetime.timedelta) -> WorkerHeartbeat:
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="web-1", pid=4242, started_at=now - seen, seen_at=now - seen
    )


def test_a_task_of_a_worker_silent_too_long_is_put_back_for_another():
    heartbeat("killed", seen=LOST_AFTER + datetime.timedelta(seconds=5))
    task = running("killed")

    assert [row.pk for row in reclaim_lost_tasks()] == [task.pk]

    task.refresh_from_db()
    assert task.status == "READY"
    assert task.worker_ids == ["killed"]  # who had it stays on record
    assert DBTaskResult.objects.ready().filter(pk=task.pk).exists()  # and the next worker takes it
    assert not WorkerHeartbeat.objects.filter(worker_id="killed").exists()


def test_a_task_of_a_live_worker_is_left_to_it_however_long_it_runs():
    heartbeat("busy", seen=LOST_AFTER - datetime.timedelta(seconds=5))
    task = running("busy", started=10 * LOST_AFTER)

    assert reclaim_lost_tasks() == []
    task.refresh_from_db()
    assert task.status == "RUNNING"


def test_a_task_whose_worker_left_no_heartbeat_is_put_back_only_once_it_is_older_than_the_timeout():
    # A worker stopped with a second Ctrl+C removes its heartbeat but leaves its task running.
    old = running("stopped")
    new = running("stopped", started=datetime.timedelta(seconds=1))

    reclaim_lost_tasks()

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == ("READY", "RUNNING")


def test_a_task_that_lost_its_worker_as_often_as_allowed_is_failed_and_not_run_again():
    task = running("first", "second", "third")

    reclaim_lost_tasks()

    task.refresh_from_db()
    assert task.status == "FAILED"
    assert task.exception_class_path == "operations.services.WorkerLost"
    assert "lost 3 times" in task.traceback
    assert task.finished_at is not None
    assert not DBTaskResult.objects.ready().filter(pk=task.pk).exists()


def test_a_finished_task_is_never_touched():
    task = running("killed")
    DBTaskResult.objects.filter(pk=task.pk).update(status="SUCCESSFUL")

    assert reclaim_lost_tasks() == []
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"


def test_a_heartbeat_records_the_worker_once_then_moves_its_time_on_and_a_stop_removes_it():
    started = timezone.now() - datetime.timedelta(minutes=3)
    record_heartbeat(worker_id="w1", started_at=started)
    first = WorkerHeartbeat.objects.get(worker_id="w1")
    assert first.seen_at >= started
    WorkerHeartbeat.objects.filter(pk=first.pk).update(seen_at=started)
    record_heartbeat(worker_id="w1", started_at=started)

    again = WorkerHeartbeat.objects.get(worker_id="w1")
    assert again.pk == first.pk and again.started_at == started
    assert again.seen_at > started

    forget_worker(worker_id="w1")
    assert not WorkerHeartbeat.objects.exists()
