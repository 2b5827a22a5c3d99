from django.db import transaction

from audit.services import record_audit
from centre.selectors import assessors_of_centre
from common.errors import Refused
from learners.models import Enrolment


class AllocationError(Refused):
    """An assessor allocation that cannot be made, with the reason."""


@transaction.atomic
def allocate_assessor(*, enrolment: Enrolment, assessor, actor=None) -> None:
    """Allocate ``assessor`` to ``enrolment``: they may then assess exactly this enrolment,
    and the assessor it had before no longer may (``learners.policies`` reads the right to
    assess from the allocation). ``None`` leaves it unallocated."""
    if (
        assessor is not None
        and not assessors_of_centre(centre=enrolment.centre).filter(pk=assessor.pk).exists()
    ):
        raise AllocationError(f"{assessor.email} is not an assessor of {enrolment.centre}.")
    previous = enrolment.assessor
    if previous == assessor:
        return
    enrolment.assessor = assessor
    enrolment.save(update_fields=["assessor"])
    record_audit(
        actor=actor,
        verb="enrolment.assessor_allocated",
        target=enrolment,
        centre=enrolment.centre,
        learner=enrolment.learner_id,
        unit=enrolment.unit_id,
        details={
            "assessor": str(assessor.audit_key) if assessor else None,
            "previous_assessor": str(previous.audit_key) if previous else None,
        },
    )


def release_enrolments_of(*, assessor, centre) -> int:
    """Take every enrolment of ``centre`` away from ``assessor`` at once."""
    return Enrolment.objects.filter(centre=centre, assessor=assessor).update(assessor=None)


def export_register(*, centre, format: str, actor=None) -> tuple[bytes, int]:
    """The centre's register in the import's columns (CSV or XLSX), safe to open in a
    spreadsheet; every export is audited, since it carries learners' personal details."""
    from learners.resources import RegisterResource
    from learners.selectors import register_rows

    rows = register_rows(centre=centre)
    content = RegisterResource().export(queryset=rows).export(format)
    record_audit(
        actor=actor,
        verb="learners.exported",
        target=centre,
        centre=centre,
        details={"rows": len(rows), "format": format},
    )
    return (content.encode("utf-8") if isinstance(content, str) else content), len(rows)
