"""Wagtail indexes the references of every snippet in a background task; for a centre's
own snippets (unit guidance, the networking prompt) that task runs in the worker, where
no request has entered a scope, so it must enter the owning centre's scope itself."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from wagtail.models import ReferenceIndex

from centre.models import UnitGuidance
from centre.services import set_offered_units
from common.scoping import centre_scope
from networking.models import NetworkingPrompt
from operations.management.commands.db_worker import ReconnectingWorker

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker_until_idle() -> None:
    """What ``manage.py db_worker`` does with each task, until none is left: outside any
    scope. (Its loop itself also closes connections, which the test's transaction forbids.)"""
    worker = ReconnectingWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
        max_backoff=1,
    )
    while (task := DBTaskResult.objects.ready().first()) is not None:
        task.claim(worker.worker_id)
        worker.run_task(task)


@pytest.mark.django_db
@pytest.mark.parametrize("model", [UnitGuidance, NetworkingPrompt])
def test_reference_index_of_a_centre_snippet_is_built_by_the_worker(model, centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with override_settings(TASKS=DATABASE_TASKS), centre_scope(centre_a):
        if model is UnitGuidance:
            snippet = UnitGuidance.objects.create(centre=centre_a, unit=seed_unit, body="<p>Diary.</p>")
        else:
            snippet = NetworkingPrompt.objects.create(centre=centre_a, prompt="<p>Ask first.</p>")
    with override_settings(TASKS=DATABASE_TASKS):
        run_worker_until_idle()

    failed = DBTaskResult.objects.filter(status="FAILED")
    assert [(row.task_path, row.traceback.splitlines()[-1]) for row in failed] == []
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").exists()
    indexed = ReferenceIndex.objects.filter(
        base_content_type=ContentType.objects.get_for_model(model), object_id=str(snippet.pk)
    )
    # The centre it belongs to is a reference of every centre snippet.
    assert indexed.exists()


@pytest.mark.django_db
def test_rebuilding_the_whole_reference_index_reads_centre_snippets(centre_a, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with centre_scope(centre_a):
        guidance = UnitGuidance.objects.create(centre=centre_a, unit=seed_unit, body="<p>Diary.</p>")
    ReferenceIndex.objects.all().delete()
    call_command("rebuild_references_index", verbosity=0)
    assert ReferenceIndex.objects.filter(
        base_content_type=ContentType.objects.get_for_model(UnitGuidance), object_id=str(guidance.pk)
    ).exists()
