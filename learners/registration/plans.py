"""What a register would do to a centre's learners, worked out before anything is written, so
the admin previews it and the import applies exactly that."""

import dataclasses
import hashlib
from dataclasses import dataclass, field

from django.utils.translation import ngettext

from centre.models import Centre, OfferedQualification, OfferedUnit
from centre.selectors import assessors_of_centre
from learners.models import Enrolment, Learner, Registration
from learners.registration.register import (
    Register,
    RegisterError,
    RegisterRow,
    RowProblem,
    row_problems,
)
from units.models import QualificationPage, UnitPage
from units.qualification_spec import choice_problems
from units.selectors import spec_from_qualification

LEARNER_FIELDS = ("first_name", "last_name", "email", "candidate_number")


@dataclass
class RegistrationPlan:
    """What importing a register would do, worked out without writing anything."""

    centre: Centre
    new_learners: list[Learner] = field(default_factory=list)
    changed_learners: list[tuple[Learner, list[str]]] = field(default_factory=list)
    new_enrolments: list[tuple[RegisterRow, UnitPage]] = field(default_factory=list)
    reallocations: list[tuple[Enrolment, object]] = field(default_factory=list)
    learners_by_uln: dict[str, Learner] = field(default_factory=dict)
    assessors: dict[str, object] = field(default_factory=dict)
    unchanged_rows: int = 0
    invited: list[Learner] = field(default_factory=list)
    # (ULN, qualification, optional units chosen) for each learner's new registration, and
    # (registration, units) for optional units added to one they have.
    new_registrations: list[tuple[str, QualificationPage, set[str]]] = field(default_factory=list)
    added_choices: list[tuple[Registration, set[str]]] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(
            self.new_learners
            or self.changed_learners
            or self.new_enrolments
            or self.reallocations
            or self.new_registrations
            or self.added_choices
        )

    @property
    def fingerprint(self) -> str:
        """Identifies exactly these changes, so a confirmation can tell whether the centre's
        register changed after the preview."""
        state = (
            sorted(learner.uln for learner in self.new_learners),
            sorted((learner.uln, tuple(fields)) for learner, fields in self.changed_learners),
            sorted((row.uln, unit.urn, row.assessor_email.lower()) for row, unit in self.new_enrolments),
            sorted((enrolment.pk, assessor.pk) for enrolment, assessor in self.reallocations),
            sorted((uln, q.number, sorted(urns)) for uln, q, urns in self.new_registrations),
            sorted((registration.pk, sorted(urns)) for registration, urns in self.added_choices),
        )
        return hashlib.sha256(repr(state).encode()).hexdigest()

    def summary(self) -> list[str]:
        counts = [
            (len(self.new_learners), "%(n)d new learner", "%(n)d new learners"),
            (
                len(self.changed_learners),
                "%(n)d learner’s details changed",
                "%(n)d learners’ details changed",
            ),
            (len(self.new_enrolments), "%(n)d new enrolment", "%(n)d new enrolments"),
            (
                len(self.reallocations),
                "%(n)d enrolment given another assessor",
                "%(n)d enrolments given another assessor",
            ),
            (
                len(self.new_registrations),
                "%(n)d new registration on a qualification",
                "%(n)d new registrations on qualifications",
            ),
            (
                len(self.added_choices),
                "%(n)d registration with optional units added",
                "%(n)d registrations with optional units added",
            ),
        ]
        return [ngettext(singular, plural, n) % {"n": n} for n, singular, plural in counts if n]


def plan_registration(*, centre: Centre, register: Register) -> RegistrationPlan:
    """Check every row against the file and the centre and work out the changes.

    Raises ``RegisterError`` listing every problem when any row is wrong. Everything is
    looked up within ``centre``: a ULN, unit or assessor of another centre is as unknown
    here as one that does not exist.
    """
    problems: list[RowProblem] = []
    for row in register.rows:
        problems.extend(row_problems(row))

    plan = RegistrationPlan(centre=centre)
    existing = {learner.uln: learner for learner in Learner.objects.filter(centre=centre)}
    existing_by_candidate = {learner.candidate_number: learner for learner in existing.values()}
    offered = {
        offer.unit.urn: offer.unit
        for offer in OfferedUnit.objects.filter(centre=centre).select_related("unit")
    }
    catalogue = set(
        UnitPage.objects.filter(urn__in={row.unit_urn for row in register.rows}).values_list("urn", flat=True)
    )
    qualifications = _Qualifications(centre, register.rows)
    # A centre has tens of assessors: compare their addresses without regard to case.
    plan.assessors = {user.email.lower(): user for user in assessors_of_centre(centre=centre)}
    first_row_of_uln: dict[str, RegisterRow] = {}
    first_row_of_candidate: dict[str, RegisterRow] = {}
    first_row_of_email: dict[str, RegisterRow] = {}
    existing_by_email = {learner.email.lower(): learner for learner in existing.values()}
    first_row_of_enrolment: dict[tuple[str, str], RegisterRow] = {}

    for row in register.rows:
        earlier = first_row_of_uln.setdefault(row.uln, row)
        if earlier is not row:
            if row == dataclasses.replace(earlier, number=row.number):
                problems.append(RowProblem(row.number, "uln", f"duplicates row {earlier.number}"))
                continue
            if _details(row) != _details(earlier):
                problems.append(
                    RowProblem(row.number, "uln", f"{row.uln} has other details in row {earlier.number}")
                )
        other = first_row_of_candidate.setdefault(row.candidate_number, row)
        if other.uln != row.uln:
            problems.append(
                RowProblem(
                    row.number,
                    "candidate_number",
                    f"{row.candidate_number} is also given in row {other.number}",
                )
            )
        # Each learner signs in with their own email address, so two learners cannot share one.
        sharer = first_row_of_email.setdefault(row.email.lower(), row)
        if sharer.uln != row.uln:
            problems.append(
                RowProblem(row.number, "email", f"{row.email} is also the email of row {sharer.number}")
            )
        owner = existing_by_email.get(row.email.lower())
        if owner is not None and owner.uln != row.uln:
            problems.append(
                RowProblem(row.number, "email", f"{row.email} is already the email of another learner")
            )
        holder = existing_by_candidate.get(row.candidate_number)
        if holder is not None and holder.uln != row.uln:
            problems.append(
                RowProblem(
                    row.number,
                    "candidate_number",
                    f"{row.candidate_number} is already used by another learner",
                )
            )
        if row.unit_urn:
            if row.unit_urn not in catalogue:
                problems.append(
                    RowProblem(row.number, "unit_urn", f"{row.unit_urn!r} is not a unit in the catalogue")
                )
            elif row.unit_urn not in offered:
                problems.append(
                    RowProblem(row.number, "unit_urn", f"{row.unit_urn} is not a unit this centre offers")
                )
            enrolled = first_row_of_enrolment.setdefault((row.uln, row.unit_urn), row)
            if enrolled is not row:
                problems.append(
                    RowProblem(
                        row.number,
                        "unit_urn",
                        f"enrols {row.uln} on {row.unit_urn} again (row {enrolled.number})",
                    )
                )
        problems.extend(qualifications.row_problems(row))
        if row.assessor_email and row.assessor_email.lower() not in plan.assessors:
            problems.append(
                RowProblem(
                    row.number, "assessor_email", f"{row.assessor_email} is not an assessor of this centre"
                )
            )
    mandatory_rows = (
        [] if problems else _plan_registrations(plan, register.rows, qualifications, offered, problems)
    )
    if problems:
        raise RegisterError(sorted(problems, key=lambda problem: (problem.row, problem.column)))

    _plan_learners(plan, first_row_of_uln.values(), existing)
    _plan_enrolments(plan, [*register.rows, *mandatory_rows], offered)
    return plan


def _details(row: RegisterRow) -> tuple[str, ...]:
    return tuple(getattr(row, name) for name in LEARNER_FIELDS)


def _plan_learners(plan: RegistrationPlan, rows, existing: dict[str, Learner]) -> None:
    for row in rows:
        learner = existing.get(row.uln)
        if learner is None:
            learner = Learner(
                centre=plan.centre, uln=row.uln, **dict(zip(LEARNER_FIELDS, _details(row), strict=True))
            )
            plan.new_learners.append(learner)
        else:
            changed = [name for name in LEARNER_FIELDS if getattr(learner, name) != getattr(row, name)]
            for name in changed:
                setattr(learner, name, getattr(row, name))
            if changed:
                plan.changed_learners.append((learner, changed))
        plan.learners_by_uln[row.uln] = learner


def _plan_enrolments(plan: RegistrationPlan, rows: list[RegisterRow], offered: dict[str, UnitPage]) -> None:
    existing = {
        (enrolment.learner.uln, enrolment.unit_id): enrolment
        for enrolment in Enrolment.objects.filter(centre=plan.centre).select_related("learner", "assessor")
    }
    for row in rows:
        if not row.unit_urn:
            continue
        unit = offered[row.unit_urn]
        enrolment = existing.get((row.uln, unit.pk))
        assessor = plan.assessors.get(row.assessor_email.lower()) if row.assessor_email else None
        if enrolment is None:
            plan.new_enrolments.append((row, unit))
        elif assessor is not None and enrolment.assessor_id != assessor.pk:
            plan.reallocations.append((enrolment, assessor))
        else:
            plan.unchanged_rows += 1


class _Qualifications:
    """The qualifications a register names, as the catalogue and the centre have them."""

    def __init__(self, centre: Centre, rows: list[RegisterRow]):
        numbers = {row.qualification_number for row in rows if row.qualification_number}
        self.catalogue = {q.number: q for q in QualificationPage.objects.live().filter(number__in=numbers)}
        self.offered = set(
            OfferedQualification.objects.filter(centre=centre, qualification__number__in=numbers).values_list(
                "qualification__number", flat=True
            )
        )
        self.specs = {number: spec_from_qualification(q) for number, q in self.catalogue.items()}
        urns = {urn for spec in self.specs.values() for urn in spec.urns}
        self.credits = {
            urn: credits or 0
            for urn, credits in UnitPage.objects.filter(urn__in=urns).values_list("urn", "credit_value")
        }

    def row_problems(self, row: RegisterRow) -> list[RowProblem]:
        number = row.qualification_number
        if not number:
            return []
        if number not in self.catalogue:
            return [
                RowProblem(
                    row.number,
                    "qualification_number",
                    f"{number!r} is not a qualification published in the catalogue",
                )
            ]
        if number not in self.offered:
            return [
                RowProblem(
                    row.number, "qualification_number", f"{number} is not a qualification this centre offers"
                )
            ]
        if row.unit_urn and row.unit_urn not in self.specs[number].urns:
            return [
                RowProblem(
                    row.number, "unit_urn", f"{row.unit_urn} is not a unit of the qualification {number}"
                )
            ]
        return []


def _plan_registrations(
    plan: RegistrationPlan,
    rows: list[RegisterRow],
    qualifications: _Qualifications,
    offered: dict,
    problems: list[RowProblem],
) -> list[RegisterRow]:
    """Each learner's registrations on the qualifications their rows name, with the optional
    units the rows choose, checked against the rules of combination; the enrolments on the
    mandatory units the file leaves out are returned as rows of their own; what breaks the
    rules is added to ``problems``."""
    first_rows: dict[tuple[str, str], RegisterRow] = {}
    chosen: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        if row.qualification_number:
            key = (row.uln, row.qualification_number)
            first_rows.setdefault(key, row)
            chosen.setdefault(key, set())
            spec = qualifications.specs[row.qualification_number]
            group = spec.group_of(row.unit_urn) if row.unit_urn else None
            if group is not None and not group.mandatory:
                chosen[key].add(row.unit_urn)
    existing = {
        (registration.learner.uln, registration.qualification.number): registration
        for registration in Registration.objects.filter(
            centre=plan.centre, learner__uln__in={uln for uln, _ in first_rows}
        )
        .select_related("learner", "qualification")
        .prefetch_related("chosen_units")
    }
    # Mandatory units the learner is on already, or is put on by a row of the file, need no
    # enrolment made for them (nor their assessor changed).
    listed = {(row.uln, row.unit_urn) for row in rows if row.unit_urn}
    listed |= set(
        Enrolment.objects.filter(
            centre=plan.centre, learner__uln__in={uln for uln, _ in first_rows}
        ).values_list("learner__uln", "unit__urn")
    )
    mandatory_rows = []
    for key, first in first_rows.items():
        uln, number = key
        spec = qualifications.specs[number]
        registration = existing.get(key)
        had = {unit.urn for unit in registration.chosen_units.all()} if registration is not None else set()
        # What this file's choices break: choices made before, under rules changed since, are
        # the learner's already, and a file that names them again changes nothing.
        before = set(choice_problems(spec, had, qualifications.credits))
        for reason in choice_problems(spec, chosen[key] | had, qualifications.credits):
            if reason not in before:
                problems.append(RowProblem(first.number, "qualification_number", reason))
        if registration is None:
            plan.new_registrations.append((uln, qualifications.catalogue[number], chosen[key]))
        elif chosen[key] - had:
            plan.added_choices.append((registration, chosen[key] - had))
        for group in spec.groups:
            if group.mandatory:
                for urn in group.units:
                    if (uln, urn) in listed:
                        continue
                    if urn not in offered:
                        problems.append(
                            RowProblem(
                                first.number,
                                "qualification_number",
                                f"{urn}, mandatory on {number}, is not a unit this centre offers",
                            )
                        )
                        continue
                    listed.add((uln, urn))
                    mandatory_rows.append(dataclasses.replace(first, unit_urn=urn))
    return mandatory_rows
