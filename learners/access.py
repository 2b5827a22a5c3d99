from django.http import Http404

from centre.access import centre_role_required
from centre.models import Role
from common.access import centre_object_or_404
from learners.models import Enrolment, Learner
from learners.selectors import learner_for_user


def access_enrolment(request, pk: int) -> Enrolment:
    """An enrolment of the request's centre, or 404: one of another centre is as absent
    as one that never existed."""
    return centre_object_or_404(
        request,
        Enrolment.objects.select_related("learner", "unit", "assessor"),
        pk=pk,
        missing="No such enrolment.",
    )


def access_learner(request, pk: int) -> Learner:
    """A learner of the request's centre, or 404: one of another centre is as absent as one
    that never existed."""
    return centre_object_or_404(request, Learner.objects.all(), pk=pk, missing="No such learner.")


def access_own_learner(request) -> Learner:
    """The learner record of the signed-in person in the request's centre, or 404."""
    learner = learner_for_user(centre=request.centre, user=request.user)
    if learner is None:
        raise Http404("You are not registered as a learner at this centre.")
    return learner


# The learner's own pages: signed in, with the learner role at the current centre.
learner_required = centre_role_required(Role.LEARNER)
