from django.db.models import Prefetch, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from accounts.names import search_term
from centre.models import Centre

from .models import Enrolment, Learner


def learners_of_centre(*, centre: Centre, search: str = "") -> QuerySet[Learner]:
    """The centre's learners with their enrolments, units and assessors, in the order a
    person files names: three queries however many there are."""
    learners = Learner.objects.filter(centre=centre)
    if search := search.strip():
        # search_text is folded as the term is (accounts.names): part of a name or an
        # email, any case, with or without accents, in one query on either database.
        learners = learners.filter(
            Q(search_text__contains=search_term(search)) | Q(uln=search) | Q(candidate_number=search)
        )
    return learners.order_by("sort_key", "candidate_number").prefetch_related(
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.select_related("unit", "assessor").order_by("unit__title"),
        )
    )


def enrolments_for_assessor(*, centre: Centre, assessor) -> QuerySet[Enrolment]:
    """Exactly the enrolments of ``centre`` that ``assessor`` has been allocated (their
    per-object grants; no model-wide permission or superuser status widens it)."""
    return get_objects_for_user(
        assessor,
        "learners.assess_enrolment",
        klass=Enrolment.objects.filter(centre=centre).select_related("learner", "unit"),
        accept_global_perms=False,
        with_superuser=False,
    ).order_by("learner__sort_key", "unit__title")


def register_rows(*, centre: Centre) -> list[dict[str, str]]:
    """The centre's register as rows of the import columns, in three queries."""
    rows = []
    for learner in learners_of_centre(centre=centre):
        person = {
            "first_name": learner.first_name,
            "last_name": learner.last_name,
            "email": learner.email,
            "uln": learner.uln,
            "candidate_number": learner.candidate_number,
        }
        enrolments = list(learner.enrolments.all())
        if not enrolments:
            rows.append({**person, "unit_urn": "", "assessor_email": ""})
        for enrolment in enrolments:
            assessor = enrolment.assessor.email if enrolment.assessor else ""
            rows.append({**person, "unit_urn": enrolment.unit.urn, "assessor_email": assessor})
    return rows
