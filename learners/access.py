from django.http import Http404

from centre.access import roles_in_centre
from privacy.models import RetentionHold

from .evidence_selectors import learner_for_user
from .models import Enrolment, EvidenceFile, EvidenceItem, Learner, NetworkContact, NetworkReview
from .network_selectors import networking_enabled
from .permissions import can_view_evidence_file


def access_enrolment(request, pk: int) -> Enrolment:
    """An enrolment of the request's centre, or 404: one of another centre is as absent
    as one that never existed."""
    enrolment = (
        Enrolment.objects.filter(centre=request.centre, pk=pk)
        .select_related("learner", "unit", "assessor")
        .first()
    )
    if enrolment is None:
        raise Http404("No such enrolment.")
    return enrolment


def access_learner(request, pk: int) -> Learner:
    """A learner of the request's centre, or 404: one of another centre is as absent as one
    that never existed."""
    learner = Learner.objects.filter(centre=request.centre, pk=pk).first()
    if learner is None:
        raise Http404("No such learner.")
    return learner


def access_hold(request, pk: int) -> RetentionHold:
    hold = RetentionHold.objects.filter(centre=request.centre, pk=pk).select_related("learner").first()
    if hold is None:
        raise Http404("No such hold.")
    return hold


def access_own_learner(request) -> Learner:
    """The learner record of the signed-in person in the request's centre, or 404."""
    learner = learner_for_user(centre=request.centre, user=request.user)
    if learner is None:
        raise Http404("You are not registered as a learner at this centre.")
    return learner


def access_own_evidence(request, pk: int) -> EvidenceItem:
    """One of the signed-in learner's own evidence items, or 404: another learner's item
    is as absent as one that never existed."""
    learner = access_own_learner(request)
    item = EvidenceItem.objects.filter(centre=request.centre, learner=learner, pk=pk).first()
    if item is None:
        raise Http404("No such evidence in your portfolio.")
    item.learner = learner
    return item


def access_evidence_file(request, pk: int) -> EvidenceFile:
    """A stored evidence file the signed-in person may see, or 404 whatever the reason."""
    evidence_file = (
        EvidenceFile.objects.filter(centre=request.centre, pk=pk).select_related("item__learner").first()
    )
    if evidence_file is None or not can_view_evidence_file(
        request.user, evidence_file, roles=roles_in_centre(request)
    ):
        raise Http404("No such file.")
    return evidence_file


def access_networking(request) -> Learner:
    """The signed-in learner, if they keep networking records (a unit of theirs asks for
    them), or 404."""
    learner = access_own_learner(request)
    if not networking_enabled(learner=learner):
        raise Http404("None of your units asks for networking records.")
    return learner


def access_own_contact(request, pk: int) -> NetworkContact:
    """One of the signed-in learner's own contacts, or 404: another learner's contact is as
    absent as one that never existed."""
    learner = access_own_learner(request)
    contact = NetworkContact.objects.filter(centre=request.centre, learner=learner, pk=pk).first()
    if contact is None:
        raise Http404("No such contact in your register.")
    contact.learner = learner
    return contact


def access_own_review(request, pk: int) -> NetworkReview:
    learner = access_own_learner(request)
    review = NetworkReview.objects.filter(centre=request.centre, learner=learner, pk=pk).first()
    if review is None:
        raise Http404("No such review of yours.")
    review.learner = learner
    return review
