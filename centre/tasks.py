from django.tasks import task

from centre.models import Centre
from common.scoping import centre_scope, scopes_disabled


@task()
def update_centre_reference_index(app_label: str, model_name: str, pk: str, centre_id: int) -> None:
    """Wagtail's reference indexing of one centre-owned object, inside its centre's scope:
    Wagtail's own task reads the object through the model's manager, which in the worker
    (no request, so no scope) refuses every query."""
    from wagtail.tasks import update_reference_index_task

    with scopes_disabled():
        centre = Centre.objects.filter(pk=centre_id).first()
    if centre is None:
        return  # the centre, and with it the object, was deleted before the task ran
    with centre_scope(centre):
        update_reference_index_task.func(app_label, model_name, pk)
