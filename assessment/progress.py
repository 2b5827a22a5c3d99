"""Where each of a learner's units stands against its criteria, for the learner's own
home page: the evidence they mapped to each criterion (the portfolio's) beside their
assessor's standing decision and the unit's sign-off (assessment's). Telling how far a
unit has got is assessment's business, so it is read here, above the portfolio."""

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from django.db import models
from django.db.models import Prefetch

from assessment.models import CriterionDecision, Outcome
from assessment.selectors import latest_decisions
from centre.models import UnitGuidance
from learners.models import Enrolment, Learner
from portfolio.models import EvidenceItem, EvidenceMapping
from units.models import AssessmentCriterion, LearningOutcome


class CriterionState(models.TextChoices):
    NO_EVIDENCE = "no_evidence", "No evidence yet"
    DRAFT = "draft", "Evidence in draft"
    SUBMITTED = "submitted", "Submitted"
    NOT_YET_MET = "not_yet_met", "Not yet met"
    MET = "met", "Met"


# An item returned for revision is back in the learner's hands, like a draft.
STATE_OF_ITEM = {
    EvidenceItem.Status.DRAFT: CriterionState.DRAFT,
    EvidenceItem.Status.RETURNED: CriterionState.DRAFT,
    EvidenceItem.Status.SUBMITTED: CriterionState.SUBMITTED,
    EvidenceItem.Status.ASSESSED: CriterionState.SUBMITTED,
}
STATE_ORDER = [
    CriterionState.NO_EVIDENCE,
    CriterionState.DRAFT,
    CriterionState.SUBMITTED,
    CriterionState.NOT_YET_MET,
    CriterionState.MET,
]


@dataclass
class CriterionProgress:
    criterion: AssessmentCriterion
    mappings: list[EvidenceMapping] = field(default_factory=list)
    decision: CriterionDecision | None = None

    @cached_property
    def state(self) -> CriterionState:
        """Where the criterion stands: the assessor's decision, unless evidence has been
        submitted since a "not yet met"; otherwise how far its evidence has got. Worked
        out once: the page's summary and its row both ask."""
        submitted_since = [
            mapping.item.submitted_at
            for mapping in self.mappings
            if mapping.item.status == EvidenceItem.Status.SUBMITTED
        ]
        if self.decision is not None and not (
            self.decision.outcome == Outcome.NOT_YET_MET
            and any(at and at > self.decision.decided_at for at in submitted_since)
        ):
            return CriterionState(self.decision.outcome)
        states = [STATE_OF_ITEM[mapping.item.status] for mapping in self.mappings]
        return max(states, key=STATE_ORDER.index, default=CriterionState.NO_EVIDENCE)


@dataclass
class OutcomeProgress:
    outcome: LearningOutcome
    criteria: list[CriterionProgress]


@dataclass
class UnitProgress:
    enrolment: Enrolment
    outcomes: list[OutcomeProgress]
    guidance: UnitGuidance | None = None

    @property
    def criteria(self) -> list[CriterionProgress]:
        return [criterion for outcome in self.outcomes for criterion in outcome.criteria]

    @property
    def summary(self) -> list[tuple[str, int]]:
        counts = Counter(criterion.state for criterion in self.criteria)
        return [(state.label, counts[state]) for state in STATE_ORDER]


def portfolio_progress(*, learner: Learner) -> list[UnitProgress]:
    """Each of the learner's units, current or completed: every criterion, in the
    catalogue's order, with the evidence mapped to it, the assessor's standing decision
    and so where it stands. Five queries."""
    enrolments = list(
        Enrolment.objects.filter(centre=learner.centre, learner=learner)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("unit")
        .order_by("unit__title")
        .prefetch_related(
            Prefetch(
                "unit__learning_outcomes",
                queryset=LearningOutcome.objects.prefetch_related("criteria"),
            )
        )
    )
    decisions = latest_decisions(enrolments=enrolments)
    mappings: dict[tuple[int, int], list[EvidenceMapping]] = {}
    for mapping in (
        EvidenceMapping.objects.filter(centre=learner.centre, enrolment__in=enrolments)
        .select_related("item")
        .order_by("item__title", "item_id")
    ):
        mappings.setdefault((mapping.enrolment_id, mapping.criterion_id), []).append(mapping)
    return [
        UnitProgress(
            enrolment=enrolment,
            outcomes=[
                OutcomeProgress(
                    outcome=outcome,
                    criteria=[
                        CriterionProgress(
                            criterion,
                            mappings.get((enrolment.pk, criterion.pk), []),
                            decisions.get((enrolment.pk, criterion.pk)),
                        )
                        for criterion in outcome.criteria.all()
                    ],
                )
                for outcome in enrolment.unit.learning_outcomes.all()
            ],
        )
        for enrolment in enrolments
    ]
