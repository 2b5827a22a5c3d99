from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator

from audit.models import AuditRecord
from learners.models import Learner
from units.models import UnitPage

PAGE_SIZE = 100


@dataclass
class AuditLine:
    record: AuditRecord
    actor: str
    learner: str
    unit: str


def audit_trail(
    *, centre, learner_id: int | None = None, assessor=None, unit_id: int | None = None, page: int = 1
) -> Page:
    """A page of the centre's audit trail, newest first, optionally for one learner, one
    assessor's actions or one unit, with the people and units it refers to by key named
    for the reader: four queries a page, however long the trail."""
    records = AuditRecord.objects.filter(centre=centre).order_by("-at", "-pk")
    if learner_id:
        records = records.filter(learner_ref=learner_id)
    if assessor is not None:
        records = records.filter(actor_key=assessor.audit_key)
    if unit_id:
        records = records.filter(unit_ref=unit_id)
    page_of_records = Paginator(records, PAGE_SIZE).get_page(page)
    shown = list(page_of_records.object_list)
    actors = {
        user.audit_key: user.get_full_name() or user.email
        for user in get_user_model().objects.filter(audit_key__in={r.actor_key for r in shown if r.actor_key})
    }
    learner_ids = {r.learner_ref for r in shown if r.learner_ref}
    learners = {
        learner.pk: f"{learner.first_name} {learner.last_name} ({learner.candidate_number})"
        for learner in Learner.objects.filter(centre=centre, pk__in=learner_ids)
    }
    unit_ids = {r.unit_ref for r in shown if r.unit_ref}
    units = dict(UnitPage.objects.filter(pk__in=unit_ids).values_list("pk", "urn"))
    page_of_records.object_list = [
        AuditLine(
            record=record,
            actor=actors.get(
                record.actor_key, "Waymark" if record.actor_key is None else "Someone since erased"
            ),
            learner=learners.get(record.learner_ref, ""),
            unit=units.get(record.unit_ref, ""),
        )
        for record in shown
    ]
    return page_of_records
