from django.http import Http404

from iqa.models import IqaAction, IqaSample
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
