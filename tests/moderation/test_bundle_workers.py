"""More than one ``manage.py db_worker``, as real processes: each task is run by one of
them, once; and a worker killed (SIGKILL) in the middle of publishing a bundle has its
render finished by another, with nothing half-written ever offered for download; and the
health check counts a worker while it runs, not once it has stopped as asked.

On both databases: PostgreSQL's workers claim with ``SELECT … FOR UPDATE SKIP LOCKED``,
SQLite's in an exclusive transaction, one at a time."""

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from audit.models import AuditRecord
from common.scoping import centre_scope
from moderation.bundle import bundle_storage, request_bundle
from moderation.models import BundleRender
from moderation.tasks import render_moderation_bundle
from operations.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]
RENDER_TASK = "moderation.tasks.render_moderation_bundle"
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def wait_until(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    raise AssertionError(f"Gave up after {seconds:.0f} s waiting for {what}.")


@pytest.fixture
def start_worker(settings, tmp_path):
    """Starts a real worker process with a given id, on this test's database and files,
    beating every half second and taken for lost after three; each is stopped at teardown
    (killed if it has not stopped within ten seconds) and its output printed."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WORKER_LOST_AFTER_SECONDS = 3
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{database['NAME']}"
    else:
        auth = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
        host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
        url = f"postgres://{auth}@{host}/{database['NAME']}"
    env = {
        # Not PYTEST_XDIST_WORKER: tests.settings would add its suffix to the folders again.
        **{name: value for name, value in os.environ.items() if name != "PYTEST_XDIST_WORKER"},
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": url,
        "TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "EVIDENCE_ROOT": str(settings.EVIDENCE_ROOT),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "WORKER_HEARTBEAT_SECONDS": "0.5",
        "WORKER_LOST_AFTER_SECONDS": "3",
        "WAYMARK_TEST_PAUSED_AT": str(tmp_path / "paused-at"),
    }
    started = []

    def start(worker_id: str, *, runner: tuple[str, ...] = ("manage.py",)) -> subprocess.Popen:
        log = (tmp_path / f"{worker_id}.log").open("w+")
        command = [sys.executable, *runner, "db_worker", "--queue-name", "*", "--interval", "0.2"]
        command += ["--no-reload", "--no-startup-delay", "--worker-id", worker_id]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        started.append((worker_id, process, log))
        return process

    yield start
    for worker_id, process, log in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.seek(0)
        print(f"--- worker {worker_id} ---\n{log.read()}")


def wait_for_heartbeats(*worker_ids: str) -> None:
    wait_until(
        lambda: WorkerHeartbeat.objects.filter(worker_id__in=worker_ids).count() == len(worker_ids),
        seconds=90,
        what=f"workers {', '.join(worker_ids)} to start",
    )


def render_tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=RENDER_TASK))


def assert_complete_bundle(render: BundleRender) -> None:
    storage = bundle_storage()
    with storage.open(render.pdf, "rb") as stored:
        assert len(PdfReader(io.BytesIO(stored.read())).pages) == render.pages
    with storage.open(render.archive, "rb") as stored, zipfile.ZipFile(io.BytesIO(stored.read())) as archive:
        assert archive.testzip() is None
        assert "manifest.json" in archive.namelist()


def test_two_workers_share_the_renders_and_run_each_once(start_worker, sample, admin, centre_a):
    start_worker("worker-a")
    start_worker("worker-b")
    wait_for_heartbeats("worker-a", "worker-b")
    with centre_scope(centre_a):
        renders = [
            BundleRender.objects.create(
                centre=centre_a,
                sample=sample,
                fingerprint=f"scale-out-{n}",
                requested_by=admin,
                requested_at=timezone.now(),
            )
            for n in range(6)
        ]
    for render in renders:
        render_moderation_bundle.enqueue(render.pk, centre_id=centre_a.pk)

    wait_until(
        lambda: all(task.status in {"SUCCESSFUL", "FAILED"} for task in render_tasks()),
        seconds=300,
        what="the six renders",
    )

    tasks = render_tasks()
    assert [task.status for task in tasks] == ["SUCCESSFUL"] * 6
    assert all(len(task.worker_ids) == 1 for task in tasks), "a task was claimed twice"
    assert {task.worker_ids[0] for task in tasks} == {"worker-a", "worker-b"}  # both took some
    with centre_scope(centre_a):
        for render in renders:
            render.refresh_from_db()
            assert (render.status, render.attempts) == (BundleRender.Status.DONE, 1), render.error
            rendered = AuditRecord.objects.filter(verb="moderation.bundle_rendered", object_id=str(render.pk))
            assert rendered.count() == 1
            assert_complete_bundle(render)


def test_a_render_whose_worker_is_killed_mid_publish_is_finished_by_another_and_nothing_half_made_is_offered(
    start_worker, sample, admin, centre_a, moderator_client, tmp_path
):
    killed = start_worker("worker-killed", runner=("-m", "tests.moderation.pausing_worker"))
    wait_for_heartbeats("worker-killed")
    with centre_scope(centre_a):
        render = request_bundle(sample=sample, actor=admin)
    download = reverse(
        "moderation:bundle_download", kwargs={"sample_id": sample.pk, "render_id": render.pk, "kind": "pdf"}
    )
    paused_at = tmp_path / "paused-at"
    written = wait_until(
        lambda: paused_at.exists() and paused_at.read_text(), seconds=180, what="the render to publish"
    )

    # Halfway through publishing: the PDF is stored, but nothing names it.
    assert bundle_storage().exists(written)
    with centre_scope(centre_a):
        render.refresh_from_db()
    assert render.status == BundleRender.Status.RUNNING
    assert (render.pdf, render.archive, render.parts) == ("", "", [])
    assert moderator_client.get(download).status_code == 404

    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=10)
    start_worker("worker-b")

    def finished():
        with centre_scope(centre_a):
            render.refresh_from_db()
        return render.status in {BundleRender.Status.DONE, BundleRender.Status.FAILED}

    wait_until(finished, seconds=240, what="another worker to finish the render")
    assert render.status == BundleRender.Status.DONE, render.error
    assert render.attempts == 2
    assert render.pdf != written  # published from the second attempt's own folder
    assert_complete_bundle(render)
    (task,) = render_tasks()
    assert task.status == "SUCCESSFUL"
    assert task.worker_ids == ["worker-killed", "worker-b"]  # the same task, given back
    with centre_scope(centre_a):
        rendered = AuditRecord.objects.filter(verb="moderation.bundle_rendered", object_id=str(render.pk))
        assert [record.details["attempt"] for record in rendered] == [2]
    response = moderator_client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_health_check_counts_a_running_worker_and_not_one_stopped_as_asked(start_worker, client):
    worker = start_worker("worker-a")
    wait_for_heartbeats("worker-a")
    assert client.get("/-/health").json()["worker"] == "ok"

    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    assert not WorkerHeartbeat.objects.exists()  # it removed its own
    response = client.get("/-/health")
    assert (response.status_code, response.json()["worker"]) == (200, "failed")
