"""Answers to what lower domains announce, and to a moderator's grants changing."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from accounts.receivers import previous_holder_loses_it
from accounts.services import raise_access_epoch
from moderation.bundle import discard_bundles_of
from moderation.models import ModerationSampleUserObjectPermission
from networking.signals import submitted_evidence_pseudonymised


@receiver(post_save, sender=ModerationSampleUserObjectPermission, dispatch_uid="moderation-grant")
@receiver(post_delete, sender=ModerationSampleUserObjectPermission, dispatch_uid="moderation-grant-gone")
def _grant_changed(sender, instance, raw=False, **kwargs) -> None:
    """A grant on a sample given or taken away (django-guardian's ``assign_perm`` and
    ``remove_perm``): the moderator's sessions ask the policy again which samples are open
    to them (``moderation.access.open_sample_ids``)."""
    if not raw:
        raise_access_epoch(user_ids=[instance.user_id])


# A grant given to someone else stops counting for the person whose it was.
pre_save.connect(
    previous_holder_loses_it,
    sender=ModerationSampleUserObjectPermission,
    dispatch_uid="moderation-grant-moving",
)


@receiver(submitted_evidence_pseudonymised, dispatch_uid="moderation.discard_bundles_of")
def bundles_of_the_old_evidence_go(sender, *, learner_id: int, **kwargs) -> None:
    """A bundle copied the learner's evidence as it was, contact and all: no copy of it
    may be served again. Asking again makes a new bundle."""
    discard_bundles_of(learner_id=learner_id)
