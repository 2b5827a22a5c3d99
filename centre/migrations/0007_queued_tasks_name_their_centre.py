"""Tasks queued before ``centre_task`` carried the centre's key as their last positional
argument; ``centre_task`` takes it as the keyword ``centre_id``. Tasks still waiting in
the queue when Waymark is upgraded are rewritten so that the worker can run them."""

from django.db import migrations

# Each task that became a centre_task, with how many positional arguments it was queued
# with before (the centre's key last).
FORMER_ARITY = {
    "centre.tasks.update_centre_reference_index": 4,
    "moderation.tasks.render_moderation_bundle": 2,
    "moderation.tasks.watch_bundle_render": 2,
}


def name_the_centre(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    waiting = DBTaskResult.objects.filter(status="READY", task_path__in=FORMER_ARITY)
    for queued in waiting.iterator():
        args, kwargs = queued.args_kwargs["args"], queued.args_kwargs["kwargs"]
        if "centre_id" in kwargs or len(args) != FORMER_ARITY[queued.task_path]:
            continue
        queued.args_kwargs = {"args": args[:-1], "kwargs": {**kwargs, "centre_id": args[-1]}}
        queued.save(update_fields=["args_kwargs"])


def name_the_centre_last(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    waiting = DBTaskResult.objects.filter(status="READY", task_path__in=FORMER_ARITY)
    for queued in waiting.iterator():
        args, kwargs = queued.args_kwargs["args"], dict(queued.args_kwargs["kwargs"])
        if "centre_id" not in kwargs:
            continue
        centre_id = kwargs.pop("centre_id")
        queued.args_kwargs = {"args": [*args, centre_id], "kwargs": kwargs}
        queued.save(update_fields=["args_kwargs"])


class Migration(migrations.Migration):
    dependencies = [
        ("centre", "0006_networking_prompt_moved_out"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(name_the_centre, name_the_centre_last)]
