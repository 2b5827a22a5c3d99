"""The audit record of a change to one learner's assessment on one unit, for assessment
and the quality assurance above it."""

from audit.services import record_audit
from learners.models import Enrolment


def audit_enrolment_change(
    *, actor, verb: str, target, enrolment: Enrolment, details: dict | None = None
) -> None:
    """Audit a change to one learner's assessment on one unit, filed under both."""
    record_audit(
        actor=actor,
        verb=verb,
        target=target,
        centre=enrolment.centre,
        learner=enrolment.learner_id,
        unit=enrolment.unit_id,
        details=details,
    )
