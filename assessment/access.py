"""Fetching assessment records for a request: within the request's centre, for people
whose role or grant covers them, and otherwise the same 404 as for a record that does
not exist. And the checks a service makes of who acts (``require_*``), which refuse with
``NotAllowed``."""

from assessment.models import UnitSignOff
from centre.access import roles_in_centre
from centre.models import Membership, Role
from common.access import centre_object_or_404
from common.errors import NotAllowed
from learners.models import Enrolment, Learner
from learners.policies import ASSESS, enrolment_policy
from portfolio.models import EvidenceItem
from portfolio.policies import evidence_item_policy

# Roles that see every learner's assessment in their centre (read-only for them).
OVERSEERS = {Role.IQA, Role.CENTRE_ADMIN}


def _enrolments():
    # Built per call: the centre's scope filters a queryset when it is made.
    return Enrolment.objects.select_related("learner", "unit", "assessor")


def _assesses(request, enrolment: Enrolment) -> bool:
    return enrolment_policy.user_has_permission_for_instance(request.user, ASSESS, enrolment)


def access_enrolment_for_assessment(request, pk: int) -> Enrolment:
    """An enrolment its assessor, or an overseer of the centre, may read the assessment of."""
    return centre_object_or_404(
        request,
        _enrolments(),
        pk=pk,
        permitted=lambda enrolment: (
            bool(roles_in_centre(request) & OVERSEERS) or _assesses(request, enrolment)
        ),
        missing="No such enrolment among yours.",
    )


def access_enrolment_to_assess(request, pk: int) -> Enrolment:
    """An enrolment allocated to the person asking, for them to assess."""
    return centre_object_or_404(
        request,
        _enrolments(),
        pk=pk,
        permitted=lambda enrolment: _assesses(request, enrolment),
        missing="No such enrolment among yours.",
    )


def access_item_to_judge(request, pk: int) -> EvidenceItem:
    """A submitted item mapped to an enrolment the person asking assesses."""
    return centre_object_or_404(
        request,
        EvidenceItem.objects.exclude(status=EvidenceItem.Status.DRAFT).select_related("learner"),
        pk=pk,
        permitted=lambda item: evidence_item_policy.user_has_permission_for_instance(
            request.user, ASSESS, item
        ),
        missing="No such submission among yours.",
    )


def access_sign_off(request, pk: int) -> UnitSignOff:
    """A sign-off its learner, its assessor or an overseer of the centre may read."""
    return centre_object_or_404(
        request,
        UnitSignOff.objects.select_related("enrolment__learner", "enrolment__unit"),
        pk=pk,
        permitted=lambda sign_off: (
            bool(roles_in_centre(request) & OVERSEERS)
            or sign_off.enrolment.learner.user_id == request.user.pk
            or _assesses(request, sign_off.enrolment)
        ),
        missing="No such sign-off.",
    )


def access_own_sign_off(request, pk: int, *, learner: Learner) -> UnitSignOff:
    """A sign-off of one of ``learner``'s units, for them to countersign."""
    return centre_object_or_404(
        request,
        UnitSignOff.objects.select_related("enrolment__unit"),
        pk=pk,
        enrolment__learner=learner,
        missing="No such sign-off of yours.",
    )


def require_assessor(user, enrolment: Enrolment) -> None:
    """Refuse anyone but the enrolment's allocated assessor."""
    if not enrolment_policy.user_has_permission_for_instance(user, ASSESS, enrolment):
        raise NotAllowed("Only the learner's allocated assessor can assess this unit.")


def require_role(user, centre, role: str) -> None:
    """Refuse anyone who does not hold ``role`` (active) in ``centre``."""
    if not Membership.objects.filter(centre=centre, user=user, role=role, is_active=True).exists():
        raise NotAllowed(f"Only a {Role(role).label.lower()} of {centre.name} can do this.")
