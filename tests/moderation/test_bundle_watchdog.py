"""A render whose worker was killed: its task row does not stay RUNNING for ever, and the
render is picked up again five minutes after its last progress, as documented."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from centre.scoping import centre_scope
from moderation.bundle import recover_stalled_renders, request_bundle
from moderation.bundle.jobs import STALLED_AFTER
from moderation.models import BundleRender
from moderation.tasks import watch_bundle_render
from tests.moderation.test_moderation import admin, cohort, sample  # noqa: F401 (fixtures)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queued_render(settings, sample, admin, centre_a, django_capture_on_commit_callbacks):  # noqa: F811
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
