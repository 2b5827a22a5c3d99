"""Fetching quality assurance records for a request: within the request's centre, and
otherwise the same 404 as for a record that does not exist."""

from centre.access import access_offered_unit
from common.access import centre_object_or_404
from iqa.models import IqaAction, IqaSample, SamplingPlan
from learners.policies import ASSESS, enrolment_policy
from portfolio.models import EvidenceVersion


def access_sample(request, pk: int) -> IqaSample:
    return centre_object_or_404(
        request,
        IqaSample.objects.select_related(
            "plan__unit", "enrolment__learner", "enrolment__unit", "enrolment__assessor", "iqa"
        ),
        pk=pk,
        missing="No such sample.",
    )


def access_action_to_answer(request, pk: int) -> IqaAction:
    """An action required of the assessor asking, on a learner they assess."""
    return centre_object_or_404(
        request,
        IqaAction.objects.select_related(
            "sample__enrolment__learner", "sample__enrolment__unit", "sample__iqa"
        ),
        pk=pk,
        permitted=lambda action: enrolment_policy.user_has_permission_for_instance(
            request.user, ASSESS, action.sample.enrolment
        ),
        missing="No such action among yours.",
    )


def access_version_for_iqa(request, item_id: int, number: int) -> EvidenceVersion:
    """A submitted version of evidence of the request's centre, which its IQAs may read
    (see ``portfolio.policies``); another centre's is as absent as a missing one."""
    return centre_object_or_404(
        request,
        EvidenceVersion.objects.select_related("item__learner").prefetch_related("files"),
        item_id=item_id,
        number=number,
        missing="No such evidence.",
    )


def access_sampling_plan(request, unit_id: int) -> SamplingPlan:
    """The sampling plan of a unit the request's centre offers, once it has one."""
    unit = access_offered_unit(request, unit_id).unit
    return centre_object_or_404(
        request,
        SamplingPlan.objects.select_related("unit"),
        unit=unit,
        missing="Save a sampling plan for this unit first.",
    )


def access_action(request, pk: int) -> IqaAction:
    """An action an IQA of the request's centre required."""
    return centre_object_or_404(
        request, IqaAction.objects.select_related("sample"), pk=pk, missing="No such action."
    )
