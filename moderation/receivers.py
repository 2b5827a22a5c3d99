"""Answers to what lower domains announce."""

from django.dispatch import receiver

from moderation.bundle import discard_bundles_of
from networking.signals import submitted_evidence_pseudonymised


@receiver(submitted_evidence_pseudonymised, dispatch_uid="moderation.discard_bundles_of")
def bundles_of_the_old_evidence_go(sender, *, learner_id: int, **kwargs) -> None:
    """A bundle copied the learner's evidence as it was, contact and all: no copy of it
    may be served again. Asking again makes a new bundle."""
    discard_bundles_of(learner_id=learner_id)
