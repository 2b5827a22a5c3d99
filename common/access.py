"""The one shape of every ``access_*`` helper: a row of the request's centre, or 404."""

from collections.abc import Callable

from django.db.models import Model, QuerySet
from django.http import Http404


def centre_object_or_404[M: Model](
    request, queryset: QuerySet[M], *, missing: str, permitted: Callable[[M], bool] | None = None, **lookup
) -> M:
    """The row of ``queryset`` matching ``lookup`` in the request's centre, if the
    signed-in person is ``permitted`` it (when a check is given). A row that does not
    exist, is another centre's or is not theirs to see is the same 404, saying
    ``missing``: a page must not tell them apart."""
    row = queryset.filter(centre=request.centre, **lookup).first()
    if row is None or (permitted is not None and not permitted(row)):
        raise Http404(missing)
    return row
