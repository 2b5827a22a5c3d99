"""Reads of assessment and quality assurance: the decisions that stand, recording sheets,
the assessor's caseload, a unit's tracking grid and the IQA's suggested sample. Each runs
a fixed number of queries however many learners, criteria and decisions there are."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from assessment.models import CriterionDecision, Outcome, UnitSignOff
from common.redaction import Redactor, redactors_for
from learners.models import Enrolment
from learners.selectors import enrolments_for_assessor
from portfolio.models import EvidenceItem, EvidenceMapping, EvidenceVersion
from units.models import AssessmentCriterion, UnitPage


def latest_decisions(*, enrolments: Iterable[Enrolment | int]) -> dict[tuple[int, int], CriterionDecision]:
    """The decision standing on each (enrolment, criterion) of ``enrolments`` (objects or
    keys): its latest."""
    standing = {}
    for decision in (
        CriterionDecision.objects.filter(enrolment__in=[getattr(e, "pk", e) for e in enrolments])
        .select_related("assessor")
        .order_by("sequence")
    ):
        standing[(decision.enrolment_id, decision.criterion_id)] = decision
    return standing


@dataclass(frozen=True)
class Standing:
    """A standing decision as a learner's own page reads it: what it was and when."""

    outcome: str
    decided_at: datetime


def standing_outcomes(*, enrolments: Iterable[Enrolment | int]) -> dict[tuple[int, int], Standing]:
    """The decision standing on each (enrolment, criterion) of ``enrolments``, as plain
    values (``latest_decisions`` without the decisions' other fields and assessors)."""
    standing = {}
    for enrolment_id, criterion_id, outcome, decided_at in (
        CriterionDecision.objects.filter(enrolment_id__in=[getattr(e, "pk", e) for e in enrolments])
        .order_by("sequence")
        .values_list("enrolment_id", "criterion_id", "outcome", "decided_at")
    ):
        standing[(enrolment_id, criterion_id)] = Standing(outcome, decided_at)
    return standing


def standing_sign_off(*, enrolment: Enrolment) -> UnitSignOff | None:
    return UnitSignOff.objects.filter(enrolment=enrolment, reopened_at__isnull=True).first()


def latest_sign_offs(*, enrolments: Iterable[Enrolment | int]) -> dict[int, UnitSignOff]:
    """The latest sign-off of each of ``enrolments`` that has one, with who reopened it
    if anyone did, by enrolment key. A sign-off standing is always the latest: another is
    made only once the one before was reopened. Without the recording sheet, which the
    pages that list sign-offs do not show (``sign_off.recording_sheet`` reads it)."""
    latest = {}
    for sign_off in (
        UnitSignOff.objects.filter(enrolment__in=[getattr(e, "pk", e) for e in enrolments])
        .defer("recording_sheet")
        .select_related("reopened_by")
        .order_by("signed_at", "pk")
    ):
        latest[sign_off.enrolment_id] = sign_off
    return latest


def reopened_sign_offs(*, enrolments: Iterable[Enrolment | int]) -> dict[int, UnitSignOff]:
    """Each of ``enrolments`` whose latest sign-off was reopened (none stands since), with
    that sign-off and who reopened it, by enrolment key: the units being assessed again."""
    return {
        key: sign_off
        for key, sign_off in latest_sign_offs(enrolments=enrolments).items()
        if not sign_off.is_standing
    }


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a learner's assessment on a unit, as a moderator reads it."""

    DECISION = "decision"
    RETURNED = "returned"
    SIGNED_OFF = "signed_off"
    COUNTERSIGNED = "countersigned"
    REOPENED = "reopened"

    kind: str
    at: datetime
    by: str
    # The assessor's feedback on a decision, or their reason for a return or reopening.
    text: str = ""
    criterion: AssessmentCriterion | None = None
    outcome: str = ""
    # The version returned, or the versions a decision was made on.
    versions: tuple[EvidenceVersion, ...] = ()

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label if self.outcome else ""


def _name(user) -> str:
    return (user.get_full_name() or user.email) if user is not None else "someone no longer at the centre"


def assessment_history(*, enrolments: Iterable[Enrolment | int]) -> dict[int, list[HistoryEntry]]:
    """Everything that happened to each of ``enrolments``' assessment, oldest first: every
    decision with its feedback (those since replaced too), every return of evidence
    mapped to it with the reason, every sign-off, countersignature and reopening. Five
    queries however many learners, decisions and returns."""
    keys = [getattr(e, "pk", e) for e in enrolments]
    history: dict[int, list[HistoryEntry]] = {key: [] for key in keys}
    decisions = list(
        CriterionDecision.objects.filter(enrolment__in=keys)
        .select_related("assessor", "criterion__outcome")
        .prefetch_related("evidence")
    )
    for decision in decisions:
        history[decision.enrolment_id].append(
            HistoryEntry(
                kind=HistoryEntry.DECISION,
                at=decision.decided_at,
                by=_name(decision.assessor),
                text=decision.feedback,
                criterion=decision.criterion,
                outcome=decision.outcome,
                versions=tuple(sorted(decision.evidence.all(), key=lambda v: (v.item_id, v.number))),
            )
        )
    enrolments_of_item = defaultdict(set)
    for enrolment_id, item_id in EvidenceMapping.objects.filter(enrolment__in=keys).values_list(
        "enrolment_id", "item_id"
    ):
        enrolments_of_item[item_id].add(enrolment_id)
    for version in EvidenceVersion.objects.filter(
        item__in=list(enrolments_of_item), returned_at__isnull=False
    ).select_related("returned_by"):
        for enrolment_id in enrolments_of_item[version.item_id]:
            history[enrolment_id].append(
                HistoryEntry(
                    kind=HistoryEntry.RETURNED,
                    at=version.returned_at,
                    by=_name(version.returned_by),
                    text=version.return_reason,
                    versions=(version,),
                )
            )
    for sign_off in UnitSignOff.objects.filter(enrolment__in=keys).select_related("reopened_by"):
        entries = history[sign_off.enrolment_id]
        entries.append(
            HistoryEntry(kind=HistoryEntry.SIGNED_OFF, at=sign_off.signed_at, by=sign_off.assessor_name)
        )
        if sign_off.countersigned_at:
            entries.append(
                HistoryEntry(
                    kind=HistoryEntry.COUNTERSIGNED, at=sign_off.countersigned_at, by=sign_off.learner_name
                )
            )
        if sign_off.reopened_at:
            entries.append(
                HistoryEntry(
                    kind=HistoryEntry.REOPENED,
                    at=sign_off.reopened_at,
                    by=_name(sign_off.reopened_by),
                    text=sign_off.reopen_reason,
                )
            )
    order = {
        kind: n for n, kind in enumerate(["decision", "returned", "signed_off", "countersigned", "reopened"])
    }
    for entries in history.values():
        # Decisions made with a return share its moment: the decisions come first, as made.
        entries.sort(
            key=lambda e: (
                e.at,
                order[e.kind],
                (e.criterion.outcome.sort_order, e.criterion.sort_order) if e.criterion else (0, 0),
            )
        )
    return history


def unit_criteria(unit: UnitPage) -> list[AssessmentCriterion]:
    """The unit's criteria in the catalogue's order, each with its outcome."""
    return list(
        AssessmentCriterion.objects.filter(outcome__page=unit)
        .select_related("outcome")
        .order_by("outcome__sort_order", "sort_order")
    )


def unmet_criteria(*, enrolment: Enrolment) -> list[str]:
    """The codes of the unit's criteria that the enrolment's standing decisions do not
    meet, in the catalogue's order. The unit can be signed off only when there are none:
    the sign-off service refuses otherwise, and the learner's page offers sign-off then."""
    decisions = latest_decisions(enrolments=[enrolment])
    return [
        criterion.code
        for criterion in unit_criteria(enrolment.unit)
        if getattr(decisions.get((enrolment.pk, criterion.pk)), "outcome", None) != Outcome.MET
    ]


def decision_history(*, enrolment: Enrolment) -> dict[int, list[CriterionDecision]]:
    """Every decision on the enrolment by criterion key, the standing one first."""
    history: dict[int, list[CriterionDecision]] = {}
    for decision in (
        CriterionDecision.objects.filter(enrolment=enrolment).select_related("assessor").order_by("-sequence")
    ):
        history.setdefault(decision.criterion_id, []).append(decision)
    return history


def submissions_of(*, enrolment: Enrolment) -> list[EvidenceItem]:
    """The items submitted towards the enrolment's criteria, oldest submission first."""
    mappings = (
        enrolment.evidence_mappings.exclude(item__status=EvidenceItem.Status.DRAFT)
        .select_related("item")
        .order_by("item__submitted_at")
    )
    return list({mapping.item_id: mapping.item for mapping in mappings}.values())


def earlier_sign_offs(*, enrolment: Enrolment, besides: UnitSignOff | None) -> QuerySet[UnitSignOff]:
    """The enrolment's sign-offs but ``besides`` (the standing one), with who reopened them."""
    return enrolment.sign_offs.exclude(pk=getattr(besides, "pk", None)).select_related("reopened_by")


def decisions_on_version(*, version: EvidenceVersion) -> QuerySet[CriterionDecision]:
    """The decisions made on one version of evidence, in the order they were made."""
    return (
        CriterionDecision.objects.filter(evidence=version)
        .select_related("criterion", "assessor")
        .order_by("decided_at", "pk")
    )


def enrolments_for_grid(*, centre, user, every_learner: bool) -> QuerySet[Enrolment]:
    """The enrolments a unit's grid shows ``user``: the centre's, for those who see
    every learner (IQAs, centre admins), or those allocated to them."""
    if every_learner:
        return Enrolment.objects.filter(centre=centre)
    return enrolments_for_assessor(centre=centre, assessor=user)


def recording_sheet(*, enrolment: Enrolment) -> dict:
    """The unit recording sheet as it stands: every criterion with the evidence the
    standing decision was made on, the decision, its assessor and date."""
    decisions = latest_decisions(enrolments=[enrolment])
    judged = defaultdict(list)
    for link in CriterionDecision.evidence.through.objects.filter(
        criteriondecision__in=[d.pk for d in decisions.values()]
    ).select_related("evidenceversion__item"):
        version = link.evidenceversion
        judged[link.criteriondecision_id].append(
            {"item": version.item_id, "title": version.snapshot["title"], "version": version.number}
        )
    learner, unit = enrolment.learner, enrolment.unit
    rows = []
    for criterion in unit_criteria(unit):
        decision = decisions.get((enrolment.pk, criterion.pk))
        rows.append(
            {
                "criterion": criterion.pk,
                "code": criterion.code,
                "text": criterion.text,
                "outcome": decision.outcome if decision else "",
                "assessor": (decision.assessor.get_full_name() if decision and decision.assessor else ""),
                "decided_at": decision.decided_at.isoformat() if decision else "",
                "feedback": decision.feedback if decision else "",
                "evidence": judged.get(decision.pk, []) if decision else [],
            }
        )
    return {
        "centre": {"number": enrolment.centre.number, "name": enrolment.centre.name},
        "unit": {
            "urn": unit.urn,
            "title": unit.title,
            "level": unit.level,
            "credit_value": unit.credit_value,
        },
        "learner": {
            "name": f"{learner.first_name} {learner.last_name}",
            "candidate_number": learner.candidate_number,
        },
        "criteria": rows,
    }


def sheet_for_staff(sheet: dict, *, redactor: Redactor) -> dict:
    """A recording sheet (as it stands, or frozen at sign-off) as anyone but the learner
    sees it: the titles of the evidence, which the learner wrote, redacted."""
    return {
        **sheet,
        "criteria": [
            {**row, "evidence": [{**e, "title": redactor.text(e["title"])} for e in row["evidence"]]}
            for row in sheet.get("criteria", [])
        ],
    }


@dataclass(frozen=True)
class GridCell:
    """One learner's standing on one criterion: the outcome of the standing decision
    (empty for none) and the titles of the submitted evidence mapped there."""

    outcome: str
    evidence: tuple[str, ...]


@dataclass
class GridRow:
    enrolment: Enrolment
    cells: list[GridCell]
    signed_off: bool
    reopened: UnitSignOff | None = None


# Learners a page of the tracking grid shows: at 20 criteria, 2,000 cells.
GRID_PAGE_SIZE = 100


def page_of_unit_grid(
    *, enrolments: QuerySet[Enrolment], unit: UnitPage, page
) -> tuple[list[AssessmentCriterion], Page]:
    """Page ``page`` of the tracking grid: ``GRID_PAGE_SIZE`` learners of ``enrolments``
    on ``unit``, in name order, each against every criterion, with the standing decision
    and the evidence mapped there (the page's ``object_list`` is their ``GridRow``). The
    same queries whatever the size of the cohort: how many, which of them are on the page,
    and their cells. Read as plain values, not model instances."""
    criteria = unit_criteria(unit)
    ordered = (
        enrolments.filter(unit=unit)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("learner")
        .order_by("learner__sort_key", "learner__candidate_number", "pk")
    )
    shown = Paginator(ordered, GRID_PAGE_SIZE).get_page(page)
    shown.object_list = _grid_rows(list(shown.object_list), criteria)
    return criteria, shown


def _grid_rows(enrolments: list[Enrolment], criteria: list[AssessmentCriterion]) -> list[GridRow]:
    """Each of ``enrolments`` against ``criteria``, in the same queries however many they are."""
    keys = [e.pk for e in enrolments]
    outcomes = {}
    for enrolment_id, criterion_id, outcome in (
        CriterionDecision.objects.filter(enrolment__in=keys)
        .order_by("sequence")
        .values_list("enrolment_id", "criterion_id", "outcome")
    ):
        outcomes[(enrolment_id, criterion_id)] = outcome
    evidence = defaultdict(list)
    # The titles are the learners' words: each learner's redactor, made once for the grid.
    redactors = redactors_for(learner_ids={e.learner_id for e in enrolments})
    learner_of = {e.pk: e.learner_id for e in enrolments}
    shown: dict[tuple[int, str], str] = {}  # an item is in many cells: redacted once
    for enrolment_id, criterion_id, title in (
        EvidenceMapping.objects.filter(enrolment__in=keys)
        .exclude(item__status=EvidenceItem.Status.DRAFT)
        .order_by("item__title")
        .values_list("enrolment_id", "criterion_id", "item__title")
    ):
        if (enrolment_id, title) not in shown:
            shown[(enrolment_id, title)] = redactors[learner_of[enrolment_id]].text(title)
        evidence[(enrolment_id, criterion_id)].append(shown[(enrolment_id, title)])
    sign_offs = latest_sign_offs(enrolments=keys)
    signed_off = {key for key, sign_off in sign_offs.items() if sign_off.is_standing}
    reopened = {key: sign_off for key, sign_off in sign_offs.items() if not sign_off.is_standing}
    return [
        GridRow(
            enrolment=e,
            cells=[
                GridCell(outcomes.get((e.pk, c.pk), ""), tuple(evidence.get((e.pk, c.pk), ())))
                for c in criteria
            ],
            signed_off=e.pk in signed_off,
            reopened=reopened.get(e.pk),
        )
        for e in enrolments
    ]
