from django.http import Http404

from privacy.models import RetentionHold


def access_hold(request, pk: int) -> RetentionHold:
    hold = RetentionHold.objects.filter(centre=request.centre, pk=pk).select_related("learner").first()
    if hold is None:
        raise Http404("No such hold.")
    return hold
