"""Reads of learners' evidence: the portfolio's tracking grid, the list of items, and
what changed between two submitted versions. Each runs a fixed number of queries however
many items, criteria and files there are."""

import difflib
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Prefetch, QuerySet, Sum

from assessment.models import CriterionDecision, Outcome
from assessment.selectors import latest_decisions
from centre.models import UnitGuidance
from common.text import learner_text_lines
from learners.models import Enrolment, Learner
from portfolio.kinds import KINDS, describe_details
from portfolio.models import EvidenceFile, EvidenceItem, EvidenceMapping
from portfolio.sources import record_sources
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

    @property
    def state(self) -> CriterionState:
        """Where the criterion stands: the assessor's decision, unless evidence has been
        submitted since a "not yet met"; otherwise how far its evidence has got."""
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

    def count(self, state: CriterionState) -> int:
        return sum(1 for criterion in self.criteria if criterion.state == state)

    @property
    def summary(self) -> list[tuple[str, int]]:
        return [(state.label, self.count(state)) for state in STATE_ORDER]


def learner_storage_used(*, learner: Learner) -> int:
    """Bytes of evidence the learner has stored, kept versions included."""
    used = EvidenceFile.objects.filter(centre=learner.centre, item__learner=learner).aggregate(
        total=Sum("size")
    )["total"]
    return used or 0


def enrolments_of_learner(*, learner: Learner) -> QuerySet[Enrolment]:
    """The enrolments the learner can still map evidence to."""
    return Enrolment.objects.filter(
        centre=learner.centre, learner=learner, status=Enrolment.Status.ACTIVE
    ).select_related("unit")


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


def evidence_items_for_learner(*, learner: Learner) -> QuerySet[EvidenceItem]:
    """The learner's items, newest first, each with its criteria and current files."""
    return EvidenceItem.objects.filter(centre=learner.centre, learner=learner).prefetch_related(
        Prefetch(
            "mappings",
            queryset=EvidenceMapping.objects.select_related("criterion__outcome__page").order_by(
                "criterion__outcome__page__title", "criterion__outcome__sort_order", "criterion__sort_order"
            ),
        ),
        Prefetch(
            "files",
            queryset=EvidenceFile.objects.filter(removed_at__isnull=True),
            to_attr="current_files",
        ),
    )


def evidence_item_for_display(*, item: EvidenceItem) -> EvidenceItem:
    """One item with everything its page shows: criteria, current files and versions."""
    return (
        evidence_items_for_learner(learner=item.learner)
        .prefetch_related("versions")
        .select_related("learner")
        .get(pk=item.pk)
    )


@dataclass
class Change:
    label: str
    before: str
    after: str

    @property
    def lines(self) -> list[tuple[str, str]]:
        """The change line by line: ("removed" | "added" | "same", text). Blank lines are
        layout, not words, and are left out."""
        marks = {"- ": "removed", "+ ": "added", "  ": "same"}
        return [
            (marks[line[:2]], line[2:])
            for line in difflib.ndiff(_words(self.before), _words(self.after))
            if line[:2] in marks
        ]


def _words(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def version_changes(before: dict, after: dict) -> list[Change]:
    """What a learner changed between two submitted snapshots, field by field."""

    def as_text(snapshot: dict) -> dict[str, str]:
        return {
            "Title": snapshot["title"],
            **dict(describe_details(snapshot["kind"], snapshot["details"])),
            # As the reader sees it, not the Markdown the learner typed.
            "Text": "\n".join(learner_text_lines(snapshot["body"])),
            "Criteria": "\n".join(f"{m['code']} ({m['unit']}): {m['note']}" for m in snapshot["mappings"]),
            "Files": "\n".join(f"{f['name']} (SHA-256 {f['sha256']})" for f in snapshot["files"]),
            # The record a kind presents ("Networking record"), as its source reads it.
            **{
                KINDS[kind].label: source.as_text(snapshot[source.key]) if source.key in snapshot else ""
                for kind, source in record_sources().items()
            },
        }

    old, new = as_text(before), as_text(after)
    return [
        Change(label, old.get(label, ""), new.get(label, ""))
        for label in dict.fromkeys([*old, *new])
        if _words(old.get(label, "")) != _words(new.get(label, ""))
    ]
