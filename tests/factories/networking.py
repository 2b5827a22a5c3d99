"""Networking records built through the services, as a learner would make them (call
inside the centre's scope)."""

import uuid
from datetime import date

from networking.services import ReviewLine, record_review, save_contact, start_networking_evidence
from portfolio.services import set_evidence_mappings, submit_evidence_item
from units.models import AssessmentCriterion


def enable_networking(unit):
    unit.networking_records = True
    unit.save(update_fields=["networking_records"])


def contact(learner, name="Priya Shah", *, consented=True, **fields):
    data = {
        "kind": "individual",
        "name": name,
        "organisation": "Harbour Bank",
        "sector": "finance",
        "email": f"{name.split()[0].lower()}@harbour-bank.example",
        "phone": "07911 123456",
        "how_met": "At the regional finance forum.",
        "they_offer": "Advice on funding bids.",
        "you_offer": "Introductions to local training providers.",
        "organisation_benefit": "A route to funding.",
        "strength": 2,
        "last_contact": None,
        "next_action": "Invite to our open day.",
        "consented": consented,
        **fields,
    }
    return save_contact(learner=learner, actor=learner.user, data=data)


def review(learner, lines, *, reviewed_on=date(2026, 3, 1)):
    return record_review(
        learner=learner,
        reviewed_on=reviewed_on,
        reflection="Regular contact pays off.",
        future_actions="Meet the forum chair.",
        lines=[ReviewLine(**line) for line in lines],
    )


def submitted_record(enrolment, details, *, codes=("2.1",), body=""):
    """A networking evidence item presenting ``details``'s record, mapped to ``codes`` of
    the enrolment's unit and submitted."""
    learner = enrolment.learner
    item, _ = start_networking_evidence(
        learner=learner, actor=learner.user, details=details, creation_token=uuid.uuid4()
    )
    if body:
        item.body = body
        item.save(update_fields=["body"])
    criteria = AssessmentCriterion.objects.filter(outcome__page=enrolment.unit, code__in=codes)
    set_evidence_mappings(item=item, actor=learner.user, claims={c.pk: f"Shows {c.code}." for c in criteria})
    return submit_evidence_item(item=item, actor=learner.user, declared=True)
