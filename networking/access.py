from django.http import Http404

from common.access import centre_object_or_404
from learners.access import access_own_learner
from learners.models import Learner
from networking.models import NetworkContact, NetworkReview
from networking.selectors import networking_enabled


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
    contact = centre_object_or_404(
        request,
        NetworkContact.objects.all(),
        pk=pk,
        learner=learner,
        missing="No such contact in your register.",
    )
    contact.learner = learner
    return contact


def access_own_review(request, pk: int) -> NetworkReview:
    learner = access_own_learner(request)
    review = centre_object_or_404(
        request, NetworkReview.objects.all(), pk=pk, learner=learner, missing="No such review of yours."
    )
    review.learner = learner
    return review
