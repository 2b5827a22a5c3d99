"""The assessor's caseload: their allocated enrolments, with what waits for them first,
in the states the caseload page filters by (``assessment.filters``)."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Min, Q, QuerySet

from assessment.models import Outcome
from assessment.selectors import latest_decisions
from learners.models import Enrolment
from learners.selectors import enrolments_for_assessor
from portfolio.models import EvidenceItem
from units.models import AssessmentCriterion


@dataclass
class CaseloadRow:
    enrolment: Enrolment
    criteria_total: int
    criteria_met: int

    @property
    def waiting(self) -> int:
        return self.enrolment.waiting


class CaseloadState:
    WAITING = "waiting"
    IN_PROGRESS = "in_progress"
    SIGNED_OFF = "signed_off"
    CHOICES = [(WAITING, "Waiting for you"), (IN_PROGRESS, "In progress"), (SIGNED_OFF, "Signed off")]


def caseload_enrolments(*, centre, assessor) -> QuerySet[Enrolment]:
    """The assessor's allocated enrolments, each with how many submissions wait for them
    (``waiting``) and since when (``oldest_waiting``)."""
    waiting = Q(evidence_mappings__item__status=EvidenceItem.Status.SUBMITTED)
    return enrolments_for_assessor(centre=centre, assessor=assessor).annotate(
        waiting=Count("evidence_mappings__item", filter=waiting, distinct=True),
        oldest_waiting=Min("evidence_mappings__item__submitted_at", filter=waiting),
    )


def in_caseload_state(enrolments: QuerySet[Enrolment], state: str) -> QuerySet[Enrolment]:
    """Those of ``caseload_enrolments`` in ``state`` (a ``CaseloadState``)."""
    if state == CaseloadState.WAITING:
        return enrolments.filter(waiting__gt=0)
    if state == CaseloadState.IN_PROGRESS:
        return enrolments.filter(waiting=0, status=Enrolment.Status.ACTIVE)
    if state == CaseloadState.SIGNED_OFF:
        return enrolments.filter(status=Enrolment.Status.COMPLETED)
    return enrolments


def caseload_rows(enrolments: QuerySet[Enrolment]) -> list[CaseloadRow]:
    """Rows of ``caseload_enrolments``, those with work waiting first (oldest submission
    first), with progress through each unit's criteria."""
    enrolments = list(enrolments.order_by(F("oldest_waiting").asc(nulls_last=True), "learner__sort_key"))
    totals = dict(
        AssessmentCriterion.objects.filter(outcome__page__in={e.unit_id for e in enrolments})
        .values_list("outcome__page")
        .annotate(n=Count("pk"))
    )
    met = _met_counts(enrolments)
    return [CaseloadRow(e, totals.get(e.unit_id, 0), met.get(e.pk, 0)) for e in enrolments]


def _met_counts(enrolments: list[Enrolment]) -> dict[int, int]:
    met: dict[int, int] = defaultdict(int)
    for (enrolment_id, _), decision in latest_decisions(enrolments=enrolments).items():
        if decision.outcome == Outcome.MET:
            met[enrolment_id] += 1
    return met
