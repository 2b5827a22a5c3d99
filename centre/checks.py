from django.apps import apps
from django.core import checks
from django.db import models

from common.scoping import is_centre_scoped


def _points_at_centre(model: type[models.Model]) -> bool:
    from centre.models import Centre

    return any(
        field.is_relation and (field.many_to_one or field.one_to_one) and field.related_model is Centre
        for field in model._meta.concrete_fields
    )


@checks.register(checks.Tags.security)
def check_centre_owned_models_are_scoped(app_configs=None, **kwargs) -> list[checks.Error]:
    """Every model that belongs to a centre must be read through a centre-scoped manager,
    so that a query written without a scope raises instead of returning other centres'
    rows."""
    from centre.models import Centre

    errors = []
    for model in apps.get_models():
        if model._meta.abstract or model._meta.proxy:
            continue
        if model is not Centre and not _points_at_centre(model):
            continue
        if not is_centre_scoped(model._default_manager):
            errors.append(
                checks.Error(
                    f"{model._meta.label} belongs to a centre but its default manager is not centre-scoped.",
                    hint="Declare `objects = centre_scoped_manager()` from common.scoping.",
                    obj=model,
                    id="centre.E001",
                )
            )
    return errors
