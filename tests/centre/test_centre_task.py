"""Every task works inside the scope of the centre it is queued for, entered one way."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.tasks import Task

import centre.tasks
import moderation.tasks
from centre.tasks import centre_task
from common.scoping import active_centre_id
from learners.models import Learner
from tests.factories import LearnerFactory

seen = []


@centre_task()
def count_learners(label: str, *, centre) -> int:
    """A task that reads centre-owned rows, as the worker runs it: outside any scope."""
    seen.append((label, centre, active_centre_id()))
    return Learner.objects.count()


@pytest.mark.django_db
def test_a_centre_task_runs_with_its_centre_inside_its_scope(centre_a, centre_b):
    LearnerFactory(centre=centre_a)
    LearnerFactory(centre=centre_b)
    LearnerFactory(centre=centre_b)
    seen.clear()

    assert count_learners.call("b", centre_id=centre_b.pk) == 2
    assert seen == [("b", centre_b, centre_b.pk)]
    assert active_centre_id() is None  # and leaves it when done
    assert count_learners.enqueue("a", centre_id=centre_a.pk).return_value == 1  # through the backend


@pytest.mark.django_db
def test_a_centre_task_for_a_centre_that_is_gone_does_nothing():
    seen.clear()
    assert count_learners.call("gone", centre_id=987654) is None
    assert seen == []


def test_a_centre_task_is_queued_with_the_centre_key_only():
    with pytest.raises(TypeError):
        count_learners.call("no centre")


def test_a_centre_task_keeps_the_name_the_worker_finds_it_by():
    assert count_learners.module_path == "tests.centre.test_centre_task.count_learners"
    for each, path in [
        (moderation.tasks.render_moderation_bundle, "moderation.tasks.render_moderation_bundle"),
        (moderation.tasks.watch_bundle_render, "moderation.tasks.watch_bundle_render"),
        (centre.tasks.update_centre_reference_index, "centre.tasks.update_centre_reference_index"),
    ]:
        assert each.module_path == path and each.queue_name == "default"


def project_tasks() -> list[Task]:
    """Every task the project's own apps define (not the test app's)."""
    found = []
    for app in apps.get_app_configs():
        if Path(app.path).parent != Path(settings.BASE_DIR) or not (Path(app.path) / "tasks.py").exists():
            continue
        module = importlib.import_module(f"{app.name}.tasks")
        found += [value for value in vars(module).values() if isinstance(value, Task)]
    return found


def test_every_task_of_the_project_enters_its_centres_scope():
    tasks = project_tasks()
    assert {t.name for t in tasks} >= {
        "render_moderation_bundle",
        "watch_bundle_render",
        "update_centre_reference_index",
    }
    for each in tasks:
        assert each.func.__code__.co_name == "in_centre_scope", f"{each.module_path} is not a centre_task"
        assert each.queue_name == "default"
