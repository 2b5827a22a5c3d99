"""A render whose worker was killed: its task row does not stay RUNNING for ever, and the
render is picked up again five minutes after its last progress, as documented, by the
watchdog task or ``manage.py recover_bundle_renders``; opening its page changes nothing."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import AuditRecord
from common.scoping import centre_scope
from moderation.bundle import bundle_storage, recover_stalled_renders, request_bundle, run_bundle_render
from moderation.bundle.jobs import STALLED_AFTER
from moderation.bundle.render import render_bundle
from moderation.models import BundleRender
from moderation.tasks import watch_bundle_render

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queued_render(settings, sample, admin, centre_a, django_capture_on_commit_callbacks):
    settings.TASKS = DATABASE_TASKS
    with centre_scope(centre_a), django_capture_on_commit_callbacks(execute=True):
        return request_bundle(sample=sample, actor=admin)


def render_tasks(render):
    return DBTaskResult.objects.filter(task_path="moderation.tasks.render_moderation_bundle").filter(
        args_kwargs__args__0=render.pk
    )


def test_a_killed_renders_task_is_marked_failed_when_the_render_is_queued_again(
    queued_render, centre_a, django_capture_on_commit_callbacks
):
    killed = render_tasks(queued_render).get()
    killed.claim("worker-that-was-killed")  # it started, then its process died
    with centre_scope(centre_a):
        BundleRender.objects.filter(pk=queued_render.pk).update(
            status=BundleRender.Status.RUNNING, heartbeat_at=timezone.now() - 2 * STALLED_AFTER
        )
    with centre_scope(centre_a), django_capture_on_commit_callbacks(execute=True):
        assert recover_stalled_renders(centre=centre_a) == 1

    killed.refresh_from_db()
    assert killed.status == "FAILED"
    assert "reported no progress for 5 minutes" in killed.traceback
    assert render_tasks(queued_render).filter(status="READY").count() == 1


def test_the_watchdog_looks_again_when_the_render_would_be_five_minutes_silent(
    queued_render, centre_a, django_capture_on_commit_callbacks
):
    # The worker died a minute into the render; the watchdog's first look, five minutes
    # after the render was asked for, finds its last progress only four minutes old.
    last_progress = timezone.now() - (STALLED_AFTER - datetime.timedelta(minutes=1))
    with centre_scope(centre_a):
        BundleRender.objects.filter(pk=queued_render.pk).update(
            status=BundleRender.Status.RUNNING, heartbeat_at=last_progress
        )
    before = set(DBTaskResult.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        watch_bundle_render.call(queued_render.pk, centre_id=centre_a.pk)

    next_look = DBTaskResult.objects.exclude(pk__in=before).get(
        task_path="moderation.tasks.watch_bundle_render"
    )
    # Five minutes after the last progress (not five more minutes from now, which made it ten).
    assert next_look.run_after <= last_progress + STALLED_AFTER + datetime.timedelta(seconds=30)
    assert next_look.run_after >= last_progress + STALLED_AFTER


def stall(render, centre, *, silent_for=2 * STALLED_AFTER):
    """The render's worker was killed mid-render, ``silent_for`` ago."""
    with centre_scope(centre):
        BundleRender.objects.filter(pk=render.pk).update(
            status=BundleRender.Status.RUNNING, heartbeat_at=timezone.now() - silent_for
        )


def test_the_watchdog_task_queues_a_stalled_render_again(
    queued_render, centre_a, django_capture_on_commit_callbacks
):
    stall(queued_render, centre_a)
    with django_capture_on_commit_callbacks(execute=True):
        watch_bundle_render.call(queued_render.pk, centre_id=centre_a.pk)

    assert render_tasks(queued_render).filter(status="READY").count() == 2  # the first, and again
    with centre_scope(centre_a):
        queued_render.refresh_from_db()
    assert queued_render.status == BundleRender.Status.QUEUED and queued_render.stage == "Started again"


def test_recover_bundle_renders_queues_a_stalled_render_again_and_says_so(
    queued_render, centre_a, centre_b, capsys, django_capture_on_commit_callbacks
):
    stall(queued_render, centre_a)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("recover_bundle_renders")
    out = capsys.readouterr().out
    assert f"bundle render {queued_render.pk} of sample {queued_render.sample_id} reported nothing" in out
    assert str(centre_a) in out and "queued again" in out and "Queued again 1 stalled render." in out
    assert render_tasks(queued_render).count() == 2
    with centre_scope(centre_a):
        queued_render.refresh_from_db()
    assert queued_render.status == BundleRender.Status.QUEUED

    # Asked again at once, it finds nothing to do: the render has just been queued.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("recover_bundle_renders", "--centre", centre_a.number)
    assert "No stalled bundle renders in 1 centre." in capsys.readouterr().out
    assert render_tasks(queued_render).count() == 2


def test_recover_bundle_renders_leaves_a_render_that_is_getting_on(
    queued_render, centre_a, capsys, django_capture_on_commit_callbacks
):
    stall(queued_render, centre_a, silent_for=STALLED_AFTER / 2)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("recover_bundle_renders")
    assert "No stalled bundle renders" in capsys.readouterr().out
    assert render_tasks(queued_render).count() == 1
    with pytest.raises(CommandError, match="no centre with the number"):
        call_command("recover_bundle_renders", "--centre", "00000")


def test_opening_the_bundle_page_of_a_stalled_render_writes_nothing_but_the_audit_trail(
    queued_render,
    moderator_client,
    centre_a,
    django_capture_on_commit_callbacks,
):
    url = reverse(
        "moderation:bundle", kwargs={"sample_id": queued_render.sample_id, "render_id": queued_render.pk}
    )
    moderator_client.get(url)  # the session and the catalogue's caches are warm from here on
    stall(queued_render, centre_a)
    with centre_scope(centre_a):
        before = BundleRender.objects.values().get(pk=queued_render.pk)
        audited = AuditRecord.objects.count()
    tasks = list(DBTaskResult.objects.values_list("pk", "status"))

    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
        response = moderator_client.get(url)

    assert response.status_code == 200
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert len(writes) == 1 and AuditRecord._meta.db_table in writes[0]  # "Moderation bundle viewed"
    assert not any("FOR UPDATE" in q["sql"] for q in queries)
    assert list(DBTaskResult.objects.values_list("pk", "status")) == tasks
    with centre_scope(centre_a):
        assert BundleRender.objects.values().get(pk=queued_render.pk) == before
        assert AuditRecord.objects.count() == audited + 1


# A render taken up again after its worker was lost (operations.services gives the task back).


@pytest.fixture
def running_render(sample, admin, centre_a):
    """A render task "task-1" is making, its last progress a moment ago."""
    with centre_scope(centre_a):
        return BundleRender.objects.create(
            centre=centre_a,
            sample=sample,
            fingerprint="running",
            requested_by=admin,
            requested_at=timezone.now(),
            status=BundleRender.Status.RUNNING,
            heartbeat_at=timezone.now(),
            attempts=1,
            task_id="task-1",
        )


def bundle_files(centre) -> list[str]:
    storage = bundle_storage()
    folder = f"bundles/centre-{centre.pk}"
    if not storage.exists(folder):
        return []
    folders = storage.listdir(folder)[0]
    return sorted(f"{sub}/{name}" for sub in folders for name in storage.listdir(f"{folder}/{sub}")[1])


def test_the_task_that_was_making_a_render_takes_it_over_and_any_other_leaves_it(running_render, centre_a):
    before = bundle_files(centre_a)  # other tests' renders, of a centre with the same key
    with centre_scope(centre_a):
        # Queued twice: the other task finds it being made, and leaves it.
        assert run_bundle_render(render_id=running_render.pk, task_id="task-2").attempts == 1
        assert bundle_files(centre_a) == before

        # The same task, given back after its worker died: it starts the render over.
        done = run_bundle_render(render_id=running_render.pk, task_id="task-1")

    assert (done.status, done.attempts, done.task_id) == (BundleRender.Status.DONE, 2, "task-1")


def test_an_attempt_overtaken_by_a_later_one_publishes_nothing_and_deletes_its_files(
    running_render, centre_a, monkeypatch
):
    real_render = render_bundle

    def overtaken(**kwargs):
        rendered = real_render(**kwargs)
        # Meanwhile this worker was taken for dead and the render started again elsewhere.
        BundleRender.objects.filter(pk=running_render.pk).update(attempts=F("attempts") + 1)
        return rendered

    monkeypatch.setattr("moderation.bundle.jobs.render_bundle", overtaken)
    before = bundle_files(centre_a)
    with centre_scope(centre_a):
        BundleRender.objects.filter(pk=running_render.pk).update(heartbeat_at=None)
        render = run_bundle_render(render_id=running_render.pk, task_id="task-2")

        assert (render.status, render.attempts, render.pdf, render.archive) == ("running", 3, "", "")
        assert bundle_files(centre_a) == before
        assert not AuditRecord.objects.filter(verb="moderation.bundle_rendered").exists()


def test_a_render_that_fails_after_writing_some_files_deletes_them(
    running_render, centre_a, monkeypatch, settings
):
    settings.BUNDLE_PART_MAX_BYTES = 1  # so parts are made, after the PDF and the ZIP are written

    def no_room(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr("moderation.bundle.jobs.split_into_parts", no_room)
    before = bundle_files(centre_a)
    with centre_scope(centre_a):
        render = run_bundle_render(render_id=running_render.pk, task_id="task-1")

        assert render.status == BundleRender.Status.FAILED and "No space left" in render.error
        assert bundle_files(centre_a) == before
