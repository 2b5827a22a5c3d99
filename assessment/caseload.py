"""The assessor's caseload: their allocated enrolments, with what waits for them first,
in the states the caseload page filters by (``assessment.filters``)."""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from assessment.models import CriterionDecision, Outcome
from learners.models import Enrolment
from learners.selectors import enrolments_for_assessor
from portfolio.models import EvidenceItem, EvidenceMapping
from units.models import AssessmentCriterion

CASELOAD_PAGE_SIZE = 50


@dataclass
class CaseloadRow:
    """One enrolment of the caseload, as plain values (as the unit grid's cells are)."""

    enrolment_id: int
    learner: str
    candidate_number: str
    unit: str
    status: str
    waiting: int
    oldest_waiting: datetime | None
    criteria_total: int
    criteria_met: int
    href: str  # the learner's assessment on the unit
    waiting_text: str  # "2 submissions, oldest 1 January 2020", or "Nothing"


class CaseloadState:
    WAITING = "waiting"
    IN_PROGRESS = "in_progress"
    SIGNED_OFF = "signed_off"
    CHOICES = [(WAITING, "Waiting for you"), (IN_PROGRESS, "In progress"), (SIGNED_OFF, "Signed off")]


def caseload_enrolments(*, centre, assessor) -> QuerySet[Enrolment]:
    """The assessor's allocated enrolments, as they are: what waits for them is read only
    for the page shown (``page_of_caseload``), so that counting them stays cheap."""
    return enrolments_for_assessor(centre=centre, assessor=assessor)


def _submitted(prefix: str = "") -> Q:
    return Q(**{f"{prefix}item__status": EvidenceItem.Status.SUBMITTED})


def _waiting() -> Exists:
    """Whether an enrolment has a submission waiting for its assessor."""
    return Exists(EvidenceMapping.objects.filter(_submitted(), enrolment=OuterRef("pk")))


def in_caseload_state(enrolments: QuerySet[Enrolment], state: str) -> QuerySet[Enrolment]:
    """Those of ``caseload_enrolments`` in ``state`` (a ``CaseloadState``)."""
    if state == CaseloadState.WAITING:
        return enrolments.filter(_waiting())
    if state == CaseloadState.IN_PROGRESS:
        return enrolments.filter(~_waiting(), status=Enrolment.Status.ACTIVE)
    if state == CaseloadState.SIGNED_OFF:
        return enrolments.filter(status=Enrolment.Status.COMPLETED)
    return enrolments


class _CaseloadPaginator(Paginator):
    """Counts the enrolments themselves, not the ordered (grouped) query of a page."""

    def __init__(self, ordered, per_page, *, counted: QuerySet[Enrolment]):
        super().__init__(ordered, per_page)
        self.counted = counted

    @cached_property
    def count(self) -> int:
        return self.counted.count()


def page_of_caseload(enrolments: QuerySet[Enrolment], *, page) -> Page:
    """Page ``page`` of ``caseload_enrolments``, those with work waiting first (oldest
    submission first), its rows with progress through each unit's criteria: four
    queries, whatever the caseload's size (how many, which of them are on the page, their
    rows with their units' criteria, the criteria met)."""
    oldest_waiting = Min("evidence_mappings__item__submitted_at", filter=_submitted("evidence_mappings__"))
    ordered = (
        enrolments.annotate(oldest_waiting=oldest_waiting)
        .order_by(
            F("oldest_waiting").asc(nulls_last=True), "learner__sort_key", "learner__candidate_number", "pk"
        )
        .values_list("pk", flat=True)
    )
    shown = _CaseloadPaginator(ordered, CASELOAD_PAGE_SIZE, counted=enrolments).get_page(page)
    keys = list(shown.object_list)
    waiting = _submitted("evidence_mappings__")
    criteria_of_unit = (
        AssessmentCriterion.objects.filter(outcome__page=OuterRef("unit_id"))
        .order_by()
        .values("outcome__page")
        .annotate(n=Count("pk"))
        .values("n")
    )
    values = {
        row["pk"]: row
        for row in enrolments.filter(pk__in=keys)
        .order_by()
        .values(
            "pk",
            "unit_id",
            "status",
            "learner__first_name",
            "learner__last_name",
            "learner__candidate_number",
            "unit__title",
        )
        .annotate(
            waiting=Count("evidence_mappings__item", filter=waiting, distinct=True),
            oldest_waiting=Min("evidence_mappings__item__submitted_at", filter=waiting),
            criteria_total=Coalesce(Subquery(criteria_of_unit), 0),
        )
    }
    met = criteria_met(enrolment_ids=keys)
    labels = dict(Enrolment.Status.choices)
    # Reversed once for the page, not once a row: the address differs only by the id.
    href = reverse("assessment:enrolment", kwargs={"enrolment_id": 0}).removesuffix("0/") + "{}/"
    shown.object_list = [
        CaseloadRow(
            enrolment_id=row["pk"],
            learner=f"{row['learner__first_name']} {row['learner__last_name']}",
            candidate_number=row["learner__candidate_number"],
            unit=row["unit__title"],
            status=labels[row["status"]],
            waiting=row["waiting"],
            oldest_waiting=row["oldest_waiting"],
            criteria_total=row["criteria_total"],
            criteria_met=met.get(row["pk"], 0),
            href=href.format(row["pk"]),
            waiting_text=_waiting_text(row["waiting"], row["oldest_waiting"]),
        )
        for row in (values[key] for key in keys if key in values)
    ]
    return shown


def _waiting_text(waiting: int, oldest: datetime | None) -> str:
    """What waits, as the template's ``pluralize`` and ``date`` filters would say it."""
    if not waiting:
        return "Nothing"
    when = date_format(localtime(oldest)) if oldest is not None else ""
    return f"{waiting} submission{'' if waiting == 1 else 's'}, oldest {when}"


def criteria_met(*, enrolment_ids: list[int]) -> dict[int, int]:
    """How many criteria each of ``enrolment_ids`` has met, by its standing decisions (the
    latest on each criterion), counted by the database in one query."""
    later = CriterionDecision.objects.filter(
        enrolment=OuterRef("enrolment"), criterion=OuterRef("criterion"), sequence__gt=OuterRef("sequence")
    )
    return dict(
        CriterionDecision.objects.filter(enrolment__in=enrolment_ids, outcome=Outcome.MET)
        .filter(~Exists(later))
        .values_list("enrolment")
        .annotate(n=Count("pk"))
        .order_by()
    )
