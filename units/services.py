from django.db import transaction
from django.utils.text import slugify

from audit.services import record_audit
from common.errors import Stale
from units.models import AssessmentCriterion, LearningOutcome, QualificationPage, UnitPage
from units.qualification_spec import (
    QUALIFICATION_METADATA_FIELDS,
    QualificationSpec,
    QualificationSpecError,
    qualification_problems,
    rules_data,
)
from units.selectors import (
    UnitImportPlan,
    catalogue_index,
    catalogue_problems,
    plan_unit_import,
    qualification_changes,
    spec_from_qualification,
)
from units.spec import METADATA_FIELDS, Problem, UnitSpec, UnitSpecError, validated


class UnitImportRefused(UnitSpecError):
    """The specification is sound but applying it would break existing work."""


class UnitPreviewIsStale(Stale):
    """The unit changed after the import was previewed; ``plan`` is what it would do now."""

    def __init__(self, plan: UnitImportPlan):
        self.plan = plan
        super().__init__("The unit changed after the import was previewed.")


@transaction.atomic
def import_unit(*, spec: UnitSpec, actor=None, expected_fingerprint: str | None = None) -> UnitImportPlan:
    """Create the unit ``spec`` describes, or bring the saved unit with its URN up to it.

    A unit is identified by its URN, its outcomes by number and its criteria by code,
    so importing a revised specification updates the unit in place: every criterion
    that evidence or decisions point at keeps its identity. A criterion that would
    disappear while something still points at it stops the whole import. Each change
    is published as a new revision and written to the audit trail. With
    ``expected_fingerprint`` (a previewed plan's), it refuses to apply anything else.
    """
    spec = validated(spec)
    # Hold the unit while its changes are worked out and applied, so that the changes
    # published are the ones planned (and, from the admin, the ones previewed).
    list(UnitPage.objects.select_for_update().filter(urn=spec.urn).values_list("pk", flat=True))
    plan = plan_unit_import(spec=spec)
    if expected_fingerprint is not None and plan.fingerprint != expected_fingerprint:
        raise UnitPreviewIsStale(plan)
    if plan.blocked:
        raise UnitImportRefused([Problem(spec.urn, message) for message in plan.blocked])
    if not plan.has_changes:
        return plan

    unit = plan.unit or UnitPage(slug=slugify(spec.urn.replace("/", "-")))
    unit.title = spec.title
    unit.urn = spec.urn
    for name in METADATA_FIELDS:
        setattr(unit, name, getattr(spec, name))
    unit.learning_outcomes = [
        LearningOutcome(
            number=outcome.number,
            text=outcome.text,
            sort_order=outcome_index,
            criteria=[
                AssessmentCriterion(code=criterion.code, text=criterion.text, sort_order=criterion_index)
                for criterion_index, criterion in enumerate(outcome.criteria)
            ],
        )
        for outcome_index, outcome in enumerate(spec.learning_outcomes)
    ]
    if plan.is_new:
        index = catalogue_index()
        if index.get_children().filter(slug=unit.slug).exists():
            raise UnitImportRefused(
                [Problem(spec.urn, f"another page in the catalogue already has the address /{unit.slug}/")]
            )
        index.add_child(instance=unit)
    unit.save_revision(user=actor, log_action=True).publish(user=actor)

    record_audit(
        actor=actor,
        verb="unit.created" if plan.is_new else "unit.updated",
        target=unit,
        details={"urn": spec.urn, "changes": plan.changes},
    )
    return plan


class QualificationImport:
    """What importing a qualification did: the page, whether it was made, the changes, and
    whether it set aside changes an editor had not published."""

    def __init__(
        self,
        qualification: QualificationPage,
        created: bool,
        changes: list[str],
        replaced_a_draft: bool = False,
    ):
        self.qualification, self.created, self.changes = qualification, created, changes
        self.replaced_a_draft = replaced_a_draft


@transaction.atomic
def import_qualification(*, spec: QualificationSpec, actor=None) -> QualificationImport:
    """Create the qualification ``spec`` describes, or bring the saved one with its number
    up to it (re-importing updates in place). Refused, with every problem and nothing
    written, when the rules of combination cannot hold or name a unit the catalogue lacks.
    Each change is published as a new revision and written to the audit trail."""
    problems = qualification_problems(spec) or catalogue_problems(spec)
    if problems:
        raise QualificationSpecError(problems)
    saved = QualificationPage.objects.select_for_update().filter(number=spec.number).first()
    changes = qualification_changes(spec_from_qualification(saved), spec) if saved is not None else []
    if saved is not None and not changes:
        return QualificationImport(saved, created=False, changes=[])

    draft_set_aside = saved is not None and saved.has_unpublished_changes
    qualification = saved or QualificationPage(slug=slugify(spec.number.replace("/", "-")))
    qualification.title = spec.title
    qualification.number = spec.number
    for name in QUALIFICATION_METADATA_FIELDS:
        setattr(qualification, name, getattr(spec, name))
    qualification.rules_of_combination = rules_data(spec)
    if saved is None:
        index = catalogue_index()
        if index.get_children().filter(slug=qualification.slug).exists():
            raise QualificationSpecError(
                [
                    Problem(
                        spec.number,
                        f"another page in the catalogue already has the address /{qualification.slug}/",
                    )
                ]
            )
        index.add_child(instance=qualification)
    qualification.save_revision(user=actor, log_action=True).publish(user=actor)
    record_audit(
        actor=actor,
        verb="qualification.created" if saved is None else "qualification.updated",
        target=qualification,
        details={"number": spec.number, "changes": changes},
    )
    return QualificationImport(
        qualification, created=saved is None, changes=changes, replaced_a_draft=draft_set_aside
    )
