from django.http import Http404

from .models import Enrolment


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
