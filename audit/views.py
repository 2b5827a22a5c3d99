from django.shortcuts import render

from audit.selectors import audit_trail
from centre.access import centre_role_required
from centre.models import OfferedUnit, Role
from centre.selectors import assessors_of_centre
from learners.models import Learner


@centre_role_required(Role.CENTRE_ADMIN, Role.IQA)
def audit_trail_page(request):
    """The centre's audit trail, for its admins and IQAs, by learner, assessor or unit."""
    learners = Learner.objects.filter(centre=request.centre).order_by("sort_key")
    assessors = assessors_of_centre(centre=request.centre)
    units = OfferedUnit.objects.filter(centre=request.centre).select_related("unit").order_by("unit__title")
    learner_id = _int(request.GET.get("learner"))
    assessor = assessors.filter(pk=_int(request.GET.get("assessor")) or 0).first()
    unit_id = _int(request.GET.get("unit"))
    page = audit_trail(
        centre=request.centre,
        learner_id=learner_id,
        assessor=assessor,
        unit_id=unit_id,
        page=_int(request.GET.get("page")) or 1,
    )
    return render(
        request,
        "audit/trail.html",
        {
            "page": page,
            "learners": learners,
            "assessors": assessors,
            "units": units,
            "chosen": {"learner": learner_id, "assessor": getattr(assessor, "pk", None), "unit": unit_id},
        },
    )


def _int(value) -> int | None:
    return int(value) if value and str(value).isascii() and str(value).isdigit() else None
