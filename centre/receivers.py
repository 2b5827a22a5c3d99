"""Answers to Wagtail's signals for centre-owned models, and what the centre app tells the
apps below it: who must use a second factor and who keeps an account (``accounts.parts``),
and how the audit trail names a person's staff roles (``audit.references``)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.parts import register_part, register_second_factor_rule
from accounts.services import raise_access_epoch
from audit.references import STAFF_ROLE, register_reference
from centre.models import Centre, Membership
from centre.selectors import has_a_role, staff_roles_by_audit_key, staff_roles_of
from common.scoping import scopes_disabled

register_second_factor_rule(staff_roles_of)
register_part(has_a_role)
register_reference(STAFF_ROLE, names=staff_roles_by_audit_key)


@receiver(post_save, sender=Membership, dispatch_uid="centre-membership-access-epoch")
@receiver(post_delete, sender=Membership, dispatch_uid="centre-membership-access-epoch-delete")
def _role_changed(sender, instance, raw=False, **kwargs) -> None:
    """A role given, changed or taken away: the person's sessions read their roles again
    (``centre.selectors.current_centre_and_roles``), and whether they need a second factor
    (``staff_roles_of``)."""
    if not raw:
        raise_access_epoch(user_ids=[instance.user_id])


@receiver(post_save, sender=Centre, dispatch_uid="centre-access-epoch")
def _centre_changed(sender, instance, created, raw=False, **kwargs) -> None:
    """A centre renamed, say: its people's sessions, which keep it, read it again."""
    if not raw and not created:
        with scopes_disabled():
            raise_access_epoch(user_ids=Membership.objects.filter(centre=instance).values("user"))


def index_references_in_scope(*models) -> None:
    """Have Wagtail's reference index built for ``models`` (centre-owned snippets) by
    ``centre.tasks.update_centre_reference_index``, which enters the owning centre's scope,
    instead of by Wagtail's own task, which cannot read them outside one.

    Each model is registered for indexing first (Wagtail skips a model it already
    indexes, so registering the snippet later connects nothing), then taken off the list
    of models whose handlers Wagtail connects again after every migrate.
    """
    from wagtail import signal_handlers
    from wagtail.models import ReferenceIndex

    for model in models:
        ReferenceIndex.register_model(model)
        signal_handlers.disconnect_reference_index_signal_handlers_for_model(model)
        ReferenceIndex.tracked_models.discard(model)
        post_save.connect(
            _update_reference_index_on_save, sender=model, dispatch_uid=f"centre-refs-{model._meta.label}"
        )
        post_delete.connect(
            signal_handlers.remove_reference_index_on_delete,
            sender=model,
            dispatch_uid=f"centre-refs-delete-{model._meta.label}",
        )


def _update_reference_index_on_save(sender, instance, raw=False, **kwargs) -> None:
    from wagtail.signal_handlers import reference_index_auto_update_disabled

    from centre.tasks import update_centre_reference_index

    # As Wagtail's own handler: not while loading fixtures, nor when switched off.
    if raw or getattr(reference_index_auto_update_disabled, "value", False):
        return
    update_centre_reference_index.enqueue(
        instance._meta.app_label, instance._meta.model_name, str(instance.pk), centre_id=instance.centre_id
    )
