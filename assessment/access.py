"""Fetching assessment records for a request: within the request's centre, for people
whose role or grant covers them, and otherwise the same 404 as for a record that does
not exist. And the checks a service makes of who acts (``require_*``), which refuse with
``NotAllowed``."""

from django.http import Http404

from assessment.models import UnitSignOff
from centre.access import roles_in_centre
from centre.models import Membership, Role
from common.errors import NotAllowed
from learners.models import Enrolment, Learner
from learners.policies import ASSESS, enrolment_policy
from portfolio.models import EvidenceItem
from portfolio.policies import evidence_item_policy

# Roles that see every learner's assessment in their centre (read-only for them).
OVERSEERS = {Role.IQA, Role.CENTRE_ADMIN}


def access_enrolment_for_assessment(request, pk: int) -> Enrolment:
    enrolment = (
        Enrolment.objects.filter(centre=request.centre, pk=pk)
        .select_related("learner", "unit", "assessor")
        .first()
    )
    if enrolment is None or not (
        roles_in_centre(request) & OVERSEERS
        or enrolment_policy.user_has_permission_for_instance(request.user, ASSESS, enrolment)
    ):
        raise Http404("No such enrolment among yours.")
    return enrolment


def access_enrolment_to_assess(request, pk: int) -> Enrolment:
    """An enrolment allocated to the person asking, for them to assess."""
    enrolment = (
        Enrolment.objects.filter(centre=request.centre, pk=pk)
        .select_related("learner", "unit", "assessor")
        .first()
    )
    if enrolment is None or not enrolment_policy.user_has_permission_for_instance(
        request.user, ASSESS, enrolment
    ):
        raise Http404("No such enrolment among yours.")
    return enrolment


def access_item_to_judge(request, pk: int) -> EvidenceItem:
    item = EvidenceItem.objects.filter(centre=request.centre, pk=pk).select_related("learner").first()
    if (
        item is None
        or item.status == EvidenceItem.Status.DRAFT
        or not evidence_item_policy.user_has_permission_for_instance(request.user, ASSESS, item)
    ):
        raise Http404("No such submission among yours.")
    return item


def access_sign_off(request, pk: int) -> UnitSignOff:
    sign_off = (
        UnitSignOff.objects.filter(centre=request.centre, pk=pk)
        .select_related("enrolment__learner", "enrolment__unit")
        .first()
    )
    if sign_off is None:
        raise Http404("No such sign-off.")
    enrolment = sign_off.enrolment
    if not (
        roles_in_centre(request) & OVERSEERS
        or enrolment.learner.user_id == request.user.pk
        or enrolment_policy.user_has_permission_for_instance(request.user, ASSESS, enrolment)
    ):
        raise Http404("No such sign-off.")
    return sign_off


def access_own_sign_off(request, pk: int, *, learner: Learner) -> UnitSignOff:
    """A sign-off of one of ``learner``'s units, for them to countersign."""
    sign_off = (
        UnitSignOff.objects.filter(centre=request.centre, pk=pk, enrolment__learner=learner)
        .select_related("enrolment__unit")
        .first()
    )
    if sign_off is None:
        raise Http404("No such sign-off of yours.")
    return sign_off


def require_assessor(user, enrolment: Enrolment) -> None:
    """Refuse anyone but the enrolment's allocated assessor."""
    if not enrolment_policy.user_has_permission_for_instance(user, ASSESS, enrolment):
        raise NotAllowed("Only the learner's allocated assessor can assess this unit.")


def require_role(user, centre, role: str) -> None:
    """Refuse anyone who does not hold ``role`` (active) in ``centre``."""
    if not Membership.objects.filter(centre=centre, user=user, role=role, is_active=True).exists():
        raise NotAllowed(f"Only a {Role(role).label.lower()} of {centre.name} can do this.")
