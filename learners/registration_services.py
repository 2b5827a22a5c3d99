"""Registering a centre's learners in bulk: check every row against the centre, then
write them all, or nothing."""

import dataclasses
import hashlib
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.names import person_sort_key
from audit.services import audit_record, record_audits
from centre.models import Centre, Membership, OfferedUnit, Role
from centre.selectors import assessors_of_centre
from centre.services import invite_people
from learners.models import Enrolment, EnrolmentUserObjectPermission, Learner
from learners.registration import Register, RegisterError, RegisterRow, RowProblem, row_problems
from units.models import UnitPage

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

    @property
    def has_changes(self) -> bool:
        return bool(self.new_learners or self.changed_learners or self.new_enrolments or self.reallocations)

    @property
    def fingerprint(self) -> str:
        """Identifies exactly these changes, so a confirmation can tell whether the centre's
        register changed after the preview."""
        state = (
            sorted(learner.uln for learner in self.new_learners),
            sorted((learner.uln, tuple(fields)) for learner, fields in self.changed_learners),
            sorted((row.uln, unit.urn, row.assessor_email.lower()) for row, unit in self.new_enrolments),
            sorted((enrolment.pk, assessor.pk) for enrolment, assessor in self.reallocations),
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
        if row.assessor_email and row.assessor_email.lower() not in plan.assessors:
            problems.append(
                RowProblem(
                    row.number, "assessor_email", f"{row.assessor_email} is not an assessor of this centre"
                )
            )
    if problems:
        raise RegisterError(sorted(problems, key=lambda problem: (problem.row, problem.column)))

    _plan_learners(plan, first_row_of_uln.values(), existing)
    _plan_enrolments(plan, register.rows, offered)
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


class RegisterPreviewIsStale(Exception):
    """The centre's learners changed after the preview; ``plan`` is what the file would do now."""

    def __init__(self, plan: RegistrationPlan):
        self.plan = plan
        super().__init__("The centre's learners changed after the import was previewed.")


@transaction.atomic
def import_register(
    *,
    centre: Centre,
    register: Register,
    actor=None,
    dry_run: bool = False,
    expected_fingerprint: str | None = None,
    invite: bool = True,
) -> RegistrationPlan:
    """Register and enrol a centre's learners from its MIS register, all rows or none.

    Rows are matched to learners by ULN within the centre, so importing the same file
    again changes nothing. Each new learner is linked to an account (their existing one,
    or a new one) with the learner role here and, if ``invite``, emailed an invitation to
    choose a password. Each enrolment's assessor is granted exactly that enrolment.
    """
    # One register import per centre at a time: the plan must still hold when it is applied.
    list(Centre.objects.select_for_update().filter(pk=centre.pk).values_list("pk", flat=True))
    plan = plan_registration(centre=centre, register=register)
    if expected_fingerprint is not None and plan.fingerprint != expected_fingerprint:
        raise RegisterPreviewIsStale(plan)
    if dry_run or not plan.has_changes:
        return plan

    Learner.objects.bulk_create([learner.fill_keys() for learner in plan.new_learners], batch_size=1000)
    give_learners_accounts(centre=centre, learners=plan.new_learners)
    if invite:
        # A learner whose account has a password already (staff, or a learner elsewhere)
        # signs in with it; everyone else is invited to choose one.
        plan.invited = invite_learners(
            centre=centre,
            learners=[learner for learner in plan.new_learners if not learner.user.has_usable_password()],
            actor=actor,
            again=False,
        )
    if plan.changed_learners:
        Learner.objects.bulk_update(
            [learner.fill_keys() for learner, _ in plan.changed_learners],
            [*LEARNER_FIELDS, *Learner.KEY_FIELDS],
            batch_size=1000,
        )
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                centre=centre,
                learner=plan.learners_by_uln[row.uln],
                unit=unit,
                assessor=plan.assessors.get(row.assessor_email.lower()) if row.assessor_email else None,
                start_date=timezone.localdate(),
            )
            for row, unit in plan.new_enrolments
        ],
        batch_size=1000,
    )
    for enrolment, assessor in plan.reallocations:
        EnrolmentUserObjectPermission.objects.filter(content_object=enrolment).delete()
        enrolment.assessor = assessor
    Enrolment.objects.bulk_update(
        [enrolment for enrolment, _ in plan.reallocations], ["assessor"], batch_size=1000
    )

    allocated = [enrolment for enrolment in enrolments if enrolment.assessor_id] + [
        e for e, _ in plan.reallocations
    ]
    assess = Permission.objects.get(content_type__app_label="learners", codename="assess_enrolment")
    EnrolmentUserObjectPermission.objects.bulk_create(
        [
            EnrolmentUserObjectPermission(
                content_object=enrolment, user_id=enrolment.assessor_id, permission=assess
            )
            for enrolment in allocated
        ],
        batch_size=1000,
    )
    # One record per assessor, listing the enrolments they were given: the whole story,
    # without ten thousand rows for a ten-thousand-row register.
    allocations: dict[object, list[int]] = {}
    for enrolment in allocated:
        allocations.setdefault(enrolment.assessor, []).append(enrolment.pk)
    record_audits(
        [
            audit_record(
                actor=actor,
                verb="learners.registered",
                target=centre,
                centre=centre,
                details={"changes": plan.summary(), "invited": len(plan.invited)},
            )
        ]
        + [
            audit_record(
                actor=actor,
                verb="enrolments.assessor_allocated",
                target=assessor,
                centre=centre,
                details={
                    "assessor": str(assessor.audit_key),
                    "enrolments": enrolments,
                    "source": "register import",
                },
            )
            for assessor, enrolments in allocations.items()
        ]
    )
    return plan


def give_learners_accounts(*, centre: Centre, learners: list[Learner]) -> list[Learner]:
    """Link each learner who has no account to one, and give it the learner role here.

    The account is the person's existing one with the learner's email, if there is one
    (a learner who is also staff, or studies at another centre, keeps one sign-in);
    otherwise a new one with no password, which they choose from their invitation.
    Returns the learners that were linked.
    """
    unlinked = [learner for learner in learners if learner.user_id is None]
    if not unlinked:
        return []
    user_model = get_user_model()
    emails = {learner.email.lower() for learner in unlinked}
    accounts = {
        user.email_lower: user
        for user in user_model.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    new_accounts = []
    for learner in unlinked:
        if learner.email.lower() not in accounts:
            user = user_model(email=learner.email, first_name=learner.first_name, last_name=learner.last_name)
            user.sort_key = person_sort_key(last_name=user.last_name, first_name=user.first_name)  # no save()
            user.set_unusable_password()
            accounts[learner.email.lower()] = user
            new_accounts.append(user)
    user_model.objects.bulk_create(new_accounts, batch_size=1000)
    for learner in unlinked:
        learner.user = accounts[learner.email.lower()]
    Learner.objects.bulk_update(unlinked, ["user"], batch_size=1000)

    users = {learner.user_id: learner.user for learner in unlinked}
    memberships = Membership.objects.filter(centre=centre, role=Role.LEARNER, user_id__in=users)
    existing = set(memberships.values_list("user_id", flat=True))
    memberships.filter(is_active=False).update(is_active=True)
    Membership.objects.bulk_create(
        [
            Membership(centre=centre, user_id=user_id, role=Role.LEARNER)
            for user_id in users
            if user_id not in existing
        ],
        batch_size=1000,
    )
    return unlinked


class InvitationRefused(Exception):
    """Some of the learners asked for cannot be invited; nothing was sent to any."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@transaction.atomic
def invite_learners(
    *, centre: Centre, learners: list[Learner], actor=None, again: bool = True
) -> list[Learner]:
    """Invite learners to choose a password and sign in; returns those invited.

    A learner without an account is given one first. One who was invited before is sent
    a new link, and the old one stops working, unless ``again`` is false (a bulk "invite
    everyone not yet invited" leaves them be). Asking for a learner who has chosen a
    password already is refused, naming them: they sign in, or reset their password.
    """
    problems = [
        f"{learner.first_name} {learner.last_name} ({learner.candidate_number}) has already chosen a "
        "password; they can sign in, or reset it from the sign-in page."
        for learner in learners
        if learner.user_id is not None and learner.user.has_usable_password()
    ]
    if problems:
        raise InvitationRefused(problems)
    give_learners_accounts(centre=centre, learners=learners)
    wanted = [learner for learner in learners if again or learner.user.invited_at is None]
    invited_users = invite_people(
        users=[learner.user for learner in wanted],
        centre=centre,
        role=Role.LEARNER,
        actor=actor,
        learner_refs={learner.user_id: learner.pk for learner in wanted},
    )
    invited = {user.pk for user in invited_users}
    return [learner for learner in wanted if learner.user_id in invited]


def link_learner_role(*, centre: Centre, user, actor=None) -> list[Learner]:
    """Before ``user`` is given the learner role by hand: link them to the centre's learner
    record with their email. Refused, with what to do, when there is none, or when it
    belongs to another account."""
    from centre.services import CentreServiceError

    records = list(Learner.objects.filter(centre=centre, email__iexact=user.email).select_related("user"))
    if not records:
        raise CentreServiceError(
            f"No learner at {centre.name} has the email address {user.email}. Learners come from the "
            "centre's register: import them (Learners → Import learners), or correct the email there."
        )
    taken = [learner for learner in records if learner.user_id not in (None, user.pk)]
    if taken:
        raise CentreServiceError(
            f"The learner record with the email address {user.email} (candidate number "
            f"{taken[0].candidate_number}) belongs to another account."
        )
    unlinked = [learner for learner in records if learner.user_id is None]
    for learner in unlinked:
        learner.user = user
    Learner.objects.bulk_update(unlinked, ["user"])
    return records
