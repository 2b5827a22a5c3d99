"""Tasks queued before the upgrade to ``centre_task`` still run after it."""

import importlib
import inspect

import pytest
from django.apps import apps
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from moderation.tasks import render_moderation_bundle

upgrade = importlib.import_module("centre.migrations.0007_queued_tasks_name_their_centre")


def queued(task, args, kwargs=None, status="READY"):
    """A row of the worker's queue, as ``enqueue`` left it then."""
    return DBTaskResult.objects.create(
        task_path=task.module_path,
        args_kwargs={"args": list(args), "kwargs": kwargs or {}},
        status=status,
        backend_name="default",
        run_after=timezone.now(),
    )


@pytest.mark.django_db
def test_a_task_queued_with_the_centre_last_is_given_it_by_name():
    waiting = queued(render_moderation_bundle, [41, 7])

    upgrade.name_the_centre(apps, None)

    waiting.refresh_from_db()
    assert waiting.args_kwargs == {"args": [41], "kwargs": {"centre_id": 7}}
    # The worker calls centre_task's wrapper, which takes the centre's key by name.
    worker_calls = inspect.signature(render_moderation_bundle.func, follow_wrapped=False)
    worker_calls.bind(*waiting.args_kwargs["args"], **waiting.args_kwargs["kwargs"])


@pytest.mark.django_db
def test_the_upgrade_leaves_new_and_finished_tasks_alone_and_can_be_undone():
    new = queued(render_moderation_bundle, [41], {"centre_id": 7})
    finished = queued(render_moderation_bundle, [42, 7], status="SUCCESSFUL")
    old = queued(render_moderation_bundle, [43, 7])

    upgrade.name_the_centre(apps, None)
    upgrade.name_the_centre(apps, None)

    assert DBTaskResult.objects.get(pk=new.pk).args_kwargs == {"args": [41], "kwargs": {"centre_id": 7}}
    assert DBTaskResult.objects.get(pk=finished.pk).args_kwargs == {"args": [42, 7], "kwargs": {}}
    upgrade.name_the_centre_last(apps, None)
    assert DBTaskResult.objects.get(pk=old.pk).args_kwargs == {"args": [43, 7], "kwargs": {}}
