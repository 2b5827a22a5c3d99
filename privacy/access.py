from common.access import centre_object_or_404
from privacy.models import RetentionHold


def access_hold(request, pk: int) -> RetentionHold:
    return centre_object_or_404(
        request, RetentionHold.objects.select_related("learner"), pk=pk, missing="No such hold."
    )
