"""Fetching assessment records for a request: within the request's centre, for people
whose role or grant covers them, and otherwise the same 404 as for a record that does
not exist."""

from django.http import Http404

from assessment.models import UnitSignOff
from centre.access import roles_in_centre
from centre.models import Role
from learners.models import Enrolment
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
