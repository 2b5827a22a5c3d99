import hashlib
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Prefetch, ProtectedError, RestrictedError
from django.db.models.deletion import Collector

from units.models import (
    AssessmentCriterion,
    CatalogueIndexPage,
    LearningOutcome,
    QualificationPage,
    UnitPage,
    criterion_in_use_message,
)
from units.qualification_spec import (
    QUALIFICATION_FIELD_LABELS,
    QUALIFICATION_METADATA_FIELDS,
    QualificationSpec,
    UnitGroupSpec,
    qualification_from_data,
    rules_data,
)
from units.spec import FIELD_LABELS, METADATA_FIELDS, CriterionSpec, OutcomeSpec, Problem, UnitSpec


def units_with_criteria():
    return UnitPage.objects.prefetch_related(
        Prefetch(
            "learning_outcomes",
            queryset=LearningOutcome.objects.order_by("sort_order", "number").prefetch_related(
                Prefetch("criteria", queryset=AssessmentCriterion.objects.order_by("sort_order", "code"))
            ),
        )
    )


def unit_by_urn(*, urn: str) -> UnitPage | None:
    return units_with_criteria().filter(urn=urn).first()


def catalogue_index() -> CatalogueIndexPage:
    index = CatalogueIndexPage.objects.first()
    if index is None:
        raise CatalogueIndexPage.DoesNotExist(
            "The catalogue has no index page; run the migrations or create one in the Wagtail admin."
        )
    return index


def spec_from_unit(unit: UnitPage) -> UnitSpec:
    return UnitSpec(
        urn=unit.urn,
        title=unit.title,
        learning_outcomes=tuple(
            OutcomeSpec(
                number=outcome.number,
                text=outcome.text,
                criteria=tuple(
                    CriterionSpec(code=criterion.code, text=criterion.text)
                    for criterion in outcome.criteria.all()
                ),
            )
            for outcome in unit.learning_outcomes.all()
        ),
        **{name: getattr(unit, name) for name in METADATA_FIELDS},
    )


def criteria_in_use(*, unit: UnitPage, except_codes: set[str]) -> list[AssessmentCriterion]:
    """The unit's saved criteria, other than ``except_codes``, that cannot be deleted
    because something (evidence, a decision) protects them."""
    in_use = []
    for criterion in AssessmentCriterion.objects.filter(outcome__page=unit).exclude(code__in=except_codes):
        try:
            Collector(using=DEFAULT_DB_ALIAS).collect([criterion])
        except (ProtectedError, RestrictedError):
            in_use.append(criterion)
    return in_use


@dataclass
class UnitImportPlan:
    """What importing ``spec`` would do: create the unit, or the changes to the saved one."""

    spec: UnitSpec
    unit: UnitPage | None
    changes: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    # Importing publishes from the live unit: an editor's unpublished draft is set aside.
    replaces_a_draft: bool = False

    @property
    def is_new(self) -> bool:
        return self.unit is None

    @property
    def has_changes(self) -> bool:
        return self.is_new or bool(self.changes)

    @property
    def published_details(self) -> list[tuple[str, str]]:
        """The unit's details as the import will publish them, for the editor to check
        before confirming: every metadata field the file gives."""
        values = ((FIELD_LABELS[name], getattr(self.spec, name)) for name in METADATA_FIELDS)
        return [(label, str(value)) for label, value in values if value not in (None, "")]

    @property
    def fingerprint(self) -> str:
        """Identifies the unit as it stood when the plan was made, so that a confirmation
        made against an older state of the unit can be told apart."""
        state = self.unit.latest_revision_id if self.unit else "new"
        return hashlib.sha256(f"{state}:{self.changes}".encode()).hexdigest()


def plan_unit_import(*, spec: UnitSpec) -> UnitImportPlan:
    unit = unit_by_urn(urn=spec.urn)
    if unit is None:
        return UnitImportPlan(spec=spec, unit=None)
    saved = spec_from_unit(unit)
    plan = UnitImportPlan(spec=spec, unit=unit, replaces_a_draft=unit.has_unpublished_changes)
    for name in ("title", *METADATA_FIELDS):
        old, new = getattr(saved, name), getattr(spec, name)
        if old != new:
            plan.changes.append(f"{FIELD_LABELS[name]} changed from {_show(old)} to {_show(new)}")

    old_outcomes = {outcome.number: outcome for outcome in saved.learning_outcomes}
    new_outcomes = {outcome.number: outcome for outcome in spec.learning_outcomes}
    if list(old_outcomes) != list(new_outcomes) and set(old_outcomes) == set(new_outcomes):
        plan.changes.append("Learning outcomes reordered")
    for number, outcome in new_outcomes.items():
        if number not in old_outcomes:
            plan.changes.append(f"Outcome {number} added: {_show(outcome.text)}")
        elif old_outcomes[number].text != outcome.text:
            plan.changes.append(f"Outcome {number} text changed to {_show(outcome.text)}")
    for number in old_outcomes.keys() - new_outcomes.keys():
        plan.changes.append(f"Outcome {number} removed")

    old_criteria = {c.code: c for outcome in saved.learning_outcomes for c in outcome.criteria}
    new_criteria = {c.code: c for outcome in spec.learning_outcomes for c in outcome.criteria}
    if list(old_criteria) != list(new_criteria) and set(old_criteria) == set(new_criteria):
        plan.changes.append("Assessment criteria reordered")
    for code, criterion in new_criteria.items():
        if code not in old_criteria:
            plan.changes.append(f"Criterion {code} added: {_show(criterion.text)}")
        elif old_criteria[code].text != criterion.text:
            plan.changes.append(f"Criterion {code} text changed to {_show(criterion.text)}")
    for code in sorted(old_criteria.keys() - new_criteria.keys()):
        plan.changes.append(f"Criterion {code} removed")
    plan.blocked = [
        criterion_in_use_message(criterion.code)
        for criterion in criteria_in_use(unit=unit, except_codes=set(new_criteria))
    ]
    return plan


def _show(value) -> str:
    if value in (None, ""):
        return "(none)"
    text = str(value)
    return f"“{text[:80]}…”" if len(text) > 80 else f"“{text}”"


# Qualifications.


def qualification_by_number(*, number: str) -> QualificationPage | None:
    return QualificationPage.objects.filter(number=number).first()


def qualifications_naming(*, urn: str) -> list[QualificationPage]:
    """The qualifications whose rules of combination name the unit ``urn`` (a catalogue has
    tens of them: read in one query and looked through)."""
    return [q for q in QualificationPage.objects.order_by("number") if urn in spec_from_qualification(q).urns]


def spec_from_qualification(qualification: QualificationPage) -> QualificationSpec:
    return qualification_from_data(
        {
            "number": qualification.number,
            "title": qualification.title,
            **{name: getattr(qualification, name) for name in QUALIFICATION_METADATA_FIELDS},
            **qualification.rules_of_combination,
        }
    )


def catalogue_problems(spec: QualificationSpec) -> list[Problem]:
    """What the catalogue makes impossible in ``spec``: units it does not have, and minimums
    of credits that the units named cannot reach (a unit with no credit value counts none)."""
    units = {
        unit.urn: unit
        for unit in UnitPage.objects.filter(urn__in=spec.urns).only("urn", "credit_value", "level")
    }
    problems = []
    for group in spec.groups:
        for urn in group.units:
            if urn not in units:
                problems.append(
                    Problem(group.where, f"{urn} is not a unit in the catalogue: import it first")
                )
        if not group.mandatory and group.min_credits is not None:
            worth = sum(units[urn].credit_value or 0 for urn in group.units if urn in units)
            if worth < group.min_credits:
                problems.append(
                    Problem(
                        group.where,
                        f"the group {group.name!r} asks for at least {group.min_credits} credits, but its "
                        f"units are worth {worth} in all",
                    )
                )
    if (minimum := spec.credits_at_or_above_level) is not None:
        worth = sum(
            unit.credit_value or 0
            for unit in units.values()
            if unit.level is not None and unit.level >= minimum.level
        )
        if worth < minimum.credits:
            problems.append(
                Problem(
                    "$.credits_at_or_above_level",
                    f"asks for {minimum.credits} credits at level {minimum.level} or above, but the "
                    f"qualification's units at those levels are worth {worth} in all",
                )
            )
    if spec.total_credits is not None:
        mandatory = sum(
            units[urn].credit_value or 0
            for group in spec.groups
            if group.mandatory
            for urn in group.units
            if urn in units
        )
        if mandatory > spec.total_credits:
            problems.append(
                Problem(
                    "$.total_credits",
                    f"is {spec.total_credits}, but the mandatory units alone are worth {mandatory} credits",
                )
            )
    return problems


def qualification_changes(old: QualificationSpec, new: QualificationSpec) -> list[str]:
    """What importing ``new`` over the saved ``old`` changes, in words."""
    changes = [
        f"{QUALIFICATION_FIELD_LABELS[name]}: {getattr(old, name)!r} → {getattr(new, name)!r}"
        for name in ("title", *QUALIFICATION_METADATA_FIELDS)
        if getattr(old, name) != getattr(new, name)
    ]
    if rules_data(old) != rules_data(new):
        changes.append("Rules of combination changed")
    return changes


@dataclass
class GroupOfUnits:
    """A group of a qualification's rules, with its units as the catalogue has them."""

    spec: UnitGroupSpec
    units: list[UnitPage]
    unpublished: list[str]  # the reference numbers of its units the public catalogue does not show


def qualification_groups(qualification: QualificationPage) -> list[GroupOfUnits]:
    """The groups of ``qualification`` with their units (those the catalogue still has), in one query."""
    spec = spec_from_qualification(qualification)
    units = {unit.urn: unit for unit in UnitPage.objects.filter(urn__in=spec.urns).live()}
    return [
        GroupOfUnits(
            spec=group,
            units=[units[urn] for urn in group.units if urn in units],
            unpublished=[urn for urn in group.units if urn not in units],
        )
        for group in spec.groups
    ]
