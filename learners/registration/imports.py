"""Registering a centre's learners in bulk: check every row against the centre, then
write them all, or nothing."""

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record, record_audits
from centre.models import Centre, Role
from centre.services import send_invitations
from common.errors import Stale
from learners.invitations import give_learner_role, invite_learners, link_accounts
from learners.models import Enrolment, Learner, Registration
from learners.registration.plans import LEARNER_FIELDS, RegistrationPlan, plan_registration
from learners.registration.register import Register
from units.models import UnitPage


class RegisterPreviewIsStale(Stale):
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
    choose a password. Each enrolment's assessor may then assess exactly that enrolment.
    """
    # One register import per centre at a time: the plan must still hold when it is applied.
    list(Centre.objects.select_for_update().filter(pk=centre.pk).values_list("pk", flat=True))
    plan = plan_registration(centre=centre, register=register)
    if expected_fingerprint is not None and plan.fingerprint != expected_fingerprint:
        raise RegisterPreviewIsStale(plan)
    if dry_run or not plan.has_changes:
        return plan

    # Accounts first, so that each learner is written with theirs: no second pass over the
    # rows. An account made here for someone to be invited is made invited.
    invited_at = timezone.now()
    new_accounts = link_accounts(learners=plan.new_learners, invited_at=invited_at if invite else None)
    Learner.objects.bulk_create([learner.fill_keys() for learner in plan.new_learners], batch_size=1000)
    give_learner_role(
        centre=centre, users=[learner.user for learner in plan.new_learners], new_accounts=new_accounts
    )
    if invite:
        made = {user.pk for user in new_accounts}
        plan.invited = [learner for learner in plan.new_learners if learner.user_id in made]
        send_invitations(
            users=new_accounts,
            centre=centre,
            role=Role.LEARNER,
            invited_at=invited_at,
            actor=actor,
            learner_refs={learner.user_id: learner.pk for learner in plan.invited},
        )
        # Someone with an account already is invited only if they have never been (a
        # learner elsewhere who has not chosen a password yet); with a password, they sign
        # in with it.
        plan.invited += invite_learners(
            centre=centre,
            learners=[
                learner
                for learner in plan.new_learners
                if learner.user_id not in made and not learner.user.has_usable_password()
            ],
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
    _register_on_qualifications(centre, plan)
    for enrolment, assessor in plan.reallocations:
        enrolment.assessor = assessor
    Enrolment.objects.bulk_update(
        [enrolment for enrolment, _ in plan.reallocations], ["assessor"], batch_size=1000
    )

    allocated = [enrolment for enrolment in enrolments if enrolment.assessor_id] + [
        e for e, _ in plan.reallocations
    ]
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


def _register_on_qualifications(centre: Centre, plan: RegistrationPlan) -> None:
    """The registrations the plan makes, and the optional units chosen on each."""
    registrations = Registration.objects.bulk_create(
        [
            Registration(centre=centre, learner=plan.learners_by_uln[uln], qualification=qualification)
            for uln, qualification, _ in plan.new_registrations
        ]
    )
    choices = [
        (registration, urns)
        for registration, (_, _, urns) in zip(registrations, plan.new_registrations, strict=True)
    ] + plan.added_choices
    units = dict(
        UnitPage.objects.filter(urn__in={urn for _, urns in choices for urn in urns}).values_list("urn", "pk")
    )
    chosen = Registration.chosen_units.through
    chosen.objects.bulk_create(
        [
            chosen(registration=registration, unitpage_id=units[urn])
            for registration, urns in choices
            for urn in sorted(urns)
        ],
        batch_size=1000,
    )
