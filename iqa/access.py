"""Fetching quality assurance records for a request: within the request's centre, and
otherwise the same 404 as for a record that does not exist."""

from django.http import Http404

from centre.access import access_offered_unit
from iqa.models import IqaAction, IqaSample, SamplingPlan
from learners.policies import ASSESS, enrolment_policy
from portfolio.models import EvidenceVersion


def access_sample(request, pk: int) -> IqaSample:
    sample = (
        IqaSample.objects.filter(centre=request.centre, pk=pk)
        .select_related("plan__unit", "enrolment__learner", "enrolment__unit", "enrolment__assessor", "iqa")
        .first()
    )
    if sample is None:
        raise Http404("No such sample.")
    return sample


def access_action_to_answer(request, pk: int) -> IqaAction:
    action = (
        IqaAction.objects.filter(centre=request.centre, pk=pk)
        .select_related("sample__enrolment__learner", "sample__enrolment__unit", "sample__iqa")
        .first()
    )
    if action is None or not enrolment_policy.user_has_permission_for_instance(
        request.user, ASSESS, action.sample.enrolment
    ):
        raise Http404("No such action among yours.")
    return action


def access_version_for_iqa(request, item_id: int, number: int) -> EvidenceVersion:
    """A submitted version of evidence of the request's centre, which its IQAs may read
    (see ``portfolio.policies``); another centre's is as absent as a missing one."""
    version = (
        EvidenceVersion.objects.filter(centre=request.centre, item_id=item_id, number=number)
        .select_related("item__learner")
        .prefetch_related("files")
        .first()
    )
    if version is None:
        raise Http404("No such evidence.")
    return version


def access_sampling_plan(request, unit_id: int) -> SamplingPlan:
    """The sampling plan of a unit the request's centre offers, once it has one."""
    unit = access_offered_unit(request, unit_id).unit
    plan = SamplingPlan.objects.filter(centre=request.centre, unit=unit).select_related("unit").first()
    if plan is None:
        raise Http404("Save a sampling plan for this unit first.")
    return plan


def access_action(request, pk: int) -> IqaAction:
    """An action an IQA of the request's centre required."""
    action = IqaAction.objects.filter(centre=request.centre, pk=pk).select_related("sample").first()
    if action is None:
        raise Http404("No such action.")
    return action
