"""Where each of a learner's units stands against its criteria, for the learner's own
home page: the evidence they mapped to each criterion (the portfolio's) beside their
assessor's standing decision and the unit's sign-off (assessment's). Telling how far a
unit has got is assessment's business, so it is read here, above the portfolio."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.db import models
from django.db.models import OuterRef, Prefetch

from assessment.models import Outcome, UnitSignOff
from assessment.selectors import Standing, standing_outcomes
from centre.selectors import guidance_body
from learners.models import Enrolment, Learner, Registration
from portfolio.models import EvidenceItem, EvidenceMapping
from units.models import AssessmentCriterion, LearningOutcome, UnitPage
from units.qualification_spec import QualificationProgress, QualificationSpec, progress
from units.selectors import spec_from_qualification


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


@dataclass(frozen=True)
class MappedItem:
    """An evidence item the learner mapped to a criterion, as their home page lists it."""

    item_id: int
    title: str
    status: str
    submitted_at: datetime | None

    @property
    def status_label(self) -> str:
        return EvidenceItem.Status(self.status).label


@dataclass
class CriterionProgress:
    criterion: AssessmentCriterion
    mappings: list[MappedItem] = field(default_factory=list)
    decision: Standing | None = None

    @cached_property
    def state(self) -> CriterionState:
        """Where the criterion stands: the assessor's decision, unless evidence has been
        submitted since a "not yet met"; otherwise how far its evidence has got. Worked
        out once: the page's summary and its row both ask."""
        submitted_since = [
            mapping.submitted_at
            for mapping in self.mappings
            if mapping.status == EvidenceItem.Status.SUBMITTED
        ]
        if self.decision is not None and not (
            self.decision.outcome == Outcome.NOT_YET_MET
            and any(at and at > self.decision.decided_at for at in submitted_since)
        ):
            return CriterionState(self.decision.outcome)
        states = [STATE_OF_ITEM[mapping.status] for mapping in self.mappings]
        return max(states, key=STATE_ORDER.index, default=CriterionState.NO_EVIDENCE)


@dataclass
class OutcomeProgress:
    outcome: LearningOutcome
    criteria: list[CriterionProgress]


@dataclass
class UnitProgress:
    enrolment: Enrolment
    outcomes: list[OutcomeProgress]
    guidance: str | None = None  # the centre's own guidance on the unit (rich text), if any

    @property
    def criteria(self) -> list[CriterionProgress]:
        return [criterion for outcome in self.outcomes for criterion in outcome.criteria]

    @property
    def summary(self) -> list[tuple[str, int]]:
        counts = Counter(criterion.state for criterion in self.criteria)
        return [(state.label, counts[state]) for state in STATE_ORDER]


# What the page shows of each unit (its unit's address is worked out from ``url_path``).
UNIT_FIELDS = ("title", "urn", "level", "credit_value", "evidence_requirements", "url_path")


def portfolio_progress(*, learner: Learner) -> list[UnitProgress]:
    """Each of the learner's units, current or completed: every criterion, in the
    catalogue's order, with the evidence mapped to it, the assessor's standing decision,
    so where it stands, and the centre's own guidance on the unit. Four queries, however
    many units, criteria and items there are, each reading only what the page shows."""
    enrolments = list(
        Enrolment.objects.filter(centre_id=learner.centre_id, learner=learner)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("unit")
        .only("centre", "unit", *(f"unit__{name}" for name in UNIT_FIELDS))
        .annotate(guidance_body=guidance_body(centre=OuterRef("centre_id"), unit=OuterRef("unit_id")))
        .order_by("unit__title")
    )
    keys = [enrolment.pk for enrolment in enrolments]
    outcomes = unit_outcomes(unit_ids={enrolment.unit_id for enrolment in enrolments})
    decisions = standing_outcomes(enrolments=keys)
    mapped: dict[tuple[int, int], list[MappedItem]] = defaultdict(list)
    for enrolment_id, criterion_id, *item in (
        EvidenceMapping.objects.filter(centre_id=learner.centre_id, enrolment_id__in=keys)
        .order_by("item__title", "item_id")
        .values_list(
            "enrolment_id", "criterion_id", "item_id", "item__title", "item__status", "item__submitted_at"
        )
    ):
        mapped[(enrolment_id, criterion_id)].append(MappedItem(*item))
    return [
        UnitProgress(
            enrolment=enrolment,
            outcomes=[
                OutcomeProgress(
                    outcome=outcome,
                    criteria=[
                        CriterionProgress(
                            criterion,
                            mapped.get((enrolment.pk, criterion.pk), []),
                            decisions.get((enrolment.pk, criterion.pk)),
                        )
                        for criterion in criteria
                    ],
                )
                for outcome, criteria in outcomes.get(enrolment.unit_id, [])
            ],
            guidance=enrolment.guidance_body,
        )
        for enrolment in enrolments
    ]


def unit_outcomes(
    *, unit_ids: Iterable[int]
) -> dict[int, list[tuple[LearningOutcome, list[AssessmentCriterion]]]]:
    """Each unit's outcomes, each with its criteria, in the catalogue's order (as the
    unit's page lists them), by unit key: one query for every unit, the outcomes joined
    to their criteria, read as the few fields the learner's page shows."""
    outcomes: dict[int, list[tuple[LearningOutcome, list[AssessmentCriterion]]]] = {}
    current = None
    for unit_id, outcome_id, number, text, criterion_id, code, criterion_text in (
        LearningOutcome.objects.filter(page_id__in=unit_ids)
        .order_by("page_id", "sort_order", "pk", "criteria__sort_order", "criteria__pk")
        .values_list("page_id", "pk", "number", "text", "criteria__pk", "criteria__code", "criteria__text")
    ):
        if current is None or current[0].pk != outcome_id:
            current = (LearningOutcome(pk=outcome_id, page_id=unit_id, number=number, text=text), [])
            outcomes.setdefault(unit_id, []).append(current)
        if criterion_id is not None:
            current[1].append(
                AssessmentCriterion(pk=criterion_id, outcome_id=outcome_id, code=code, text=criterion_text)
            )
    return outcomes


@dataclass(frozen=True)
class QualificationStanding:
    """A learner's registration on a qualification, and where they stand against its rules."""

    registration: Registration
    spec: QualificationSpec
    progress: QualificationProgress


def qualifications_progress(*, learner: Learner) -> list[QualificationStanding]:
    """Each qualification the learner is registered on, with the units they take on it that
    are signed off (a standing sign-off), the credits those give group by group, and what
    the rules of combination still ask for. Four queries, however many qualifications."""
    registrations = list(
        Registration.objects.filter(centre_id=learner.centre_id, learner=learner)
        .select_related("qualification")
        .prefetch_related(Prefetch("chosen_units", queryset=UnitPage.objects.only("urn")))
        .order_by("qualification__title")
    )
    if not registrations:
        return []
    specs = {
        registration.pk: spec_from_qualification(registration.qualification) for registration in registrations
    }
    urns = {urn for spec in specs.values() for urn in spec.urns}
    units = {
        urn: (credits or 0, level or 0)
        for urn, credits, level in UnitPage.objects.filter(urn__in=urns).values_list(
            "urn", "credit_value", "level"
        )
    }
    achieved = set(
        UnitSignOff.objects.filter(
            centre_id=learner.centre_id, enrolment__learner=learner, reopened_at__isnull=True
        ).values_list("enrolment__unit__urn", flat=True)
    )
    return [
        QualificationStanding(
            registration=registration,
            spec=specs[registration.pk],
            progress=progress(
                specs[registration.pk],
                chosen={unit.urn for unit in registration.chosen_units.all()},
                achieved=achieved,
                credits={urn: credits for urn, (credits, _) in units.items()},
                levels={urn: level for urn, (_, level) in units.items()},
            ),
        )
        for registration in registrations
    ]
