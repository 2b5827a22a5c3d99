"""Answers to what lower domains announce, and what the learners app tells them: who keeps
an account (``accounts.parts``) and how the audit trail names a learner
(``audit.references``)."""

from django.dispatch import receiver

from accounts.parts import register_part
from audit.references import LEARNER, register_reference
from centre.models import Role
from centre.services import CentreServiceError
from centre.signals import membership_ended, qualification_offer_ending, role_granting, unit_offer_ending
from learners.invitations import link_learner_role
from learners.models import Enrolment, Registration
from learners.selectors import has_another_learner_record, learner_choices, learner_names
from learners.services import release_enrolments_of

register_part(has_another_learner_record)
register_reference(LEARNER, names=learner_names, choices=learner_choices)


@receiver(role_granting, dispatch_uid="learners.link_learner_role")
def learner_role_needs_a_learner_record(sender, *, centre, user, role, actor, **kwargs):
    """A learner works through their learner record: giving the role without one would
    leave a person who can sign in and has no portfolio."""
    if role == Role.LEARNER:
        link_learner_role(centre=centre, user=user, actor=actor)


@receiver(unit_offer_ending, dispatch_uid="learners.enrolled_units_stay_offered")
def enrolled_units_stay_offered(sender, *, centre, unit, **kwargs):
    """Learners' work on a unit, and the decisions about it, belong to the centre's offer
    of it: while anyone is enrolled on it, the centre keeps offering it."""
    if Enrolment.objects.filter(centre=centre, unit=unit).exists():
        raise CentreServiceError(f"Learners are enrolled on {unit.urn}; it cannot stop being offered.")


@receiver(qualification_offer_ending, dispatch_uid="learners.registered_qualifications_stay_offered")
def registered_qualifications_stay_offered(sender, *, centre, qualification, **kwargs):
    """While anyone is registered on a qualification, the centre keeps offering it."""
    if Registration.objects.filter(centre=centre, qualification=qualification).exists():
        raise CentreServiceError(
            f"Learners are registered on {qualification.number}; it cannot stop being offered."
        )


@receiver(membership_ended, dispatch_uid="learners.release_enrolments")
def assessor_leaves_their_enrolments(sender, *, membership, **kwargs):
    """Enrolments allocated to an assessor whose role ends are left without an assessor,
    for the centre to reallocate."""
    if membership.role == Role.ASSESSOR:
        release_enrolments_of(assessor=membership.user, centre=membership.centre)
