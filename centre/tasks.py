from common.tasks import centre_task


@centre_task()
def update_centre_reference_index(app_label: str, model_name: str, pk: str, *, centre) -> None:
    """Wagtail's reference indexing of one centre-owned object, inside its centre's scope:
    Wagtail's own task reads the object through the model's manager, which in the worker
    (no request, so no scope) refuses every query. (A centre deleted before the task ran
    took the object with it: ``centre_task`` skips the task.)"""
    from wagtail.tasks import update_reference_index_task

    update_reference_index_task.func(app_label, model_name, pk)
