from django.http import Http404

from common.access import centre_object_or_404
from learners.access import access_own_learner
from portfolio.models import EvidenceFile, EvidenceItem
from portfolio.policies import DOWNLOAD, evidence_file_policy


def access_own_evidence(request, pk: int) -> EvidenceItem:
    """One of the signed-in learner's own evidence items, or 404: another learner's item
    is as absent as one that never existed."""
    learner = access_own_learner(request)
    item = centre_object_or_404(
        request,
        EvidenceItem.objects.all(),
        pk=pk,
        learner=learner,
        missing="No such evidence in your portfolio.",
    )
    item.learner = learner
    return item


def access_evidence_file(request, pk: int) -> EvidenceFile:
    """A stored evidence file the signed-in person may see, or 404 whatever the reason."""
    return centre_object_or_404(
        request,
        EvidenceFile.objects.select_related("item__learner"),
        pk=pk,
        permitted=lambda evidence_file: evidence_file_policy.user_has_permission_for_instance(
            request.user, DOWNLOAD, evidence_file
        ),
        missing="No such file.",
    )


def access_own_evidence_file(request, item_id: int, pk: int) -> EvidenceFile:
    """A file still attached to one of the signed-in learner's own items, or 404."""
    item = access_own_evidence(request, item_id)
    evidence_file = item.files.filter(pk=pk, removed_at__isnull=True).first()
    if evidence_file is None:
        raise Http404("No such file on this evidence.")
    evidence_file.item = item
    return evidence_file
