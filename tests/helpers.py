"""Small helpers the suite's folders share: plain functions, imported where used (fixtures
live in tests/conftest.py, factories in tests/factories/)."""

import json

from assessment.models import CriterionDecision
from assessment.services import (
    Judgement,
    assess_submission,
    countersign_unit,
    record_criterion_decision,
    sign_off_unit,
)
from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope
from learners.services import allocate_assessor
from portfolio.services import add_evidence_files, set_evidence_mappings, submit_evidence_item
from tests.factories import (
    EnrolmentFactory,
    EvidenceItemFactory,
    LearnerFactory,
    MembershipFactory,
    pdf_upload,
)
from units.models import AssessmentCriterion


def scoped(centre, function, *args, **kwargs):
    """``function(*args, **kwargs)`` run inside ``centre``'s scope."""
    with centre_scope(centre):
        return function(*args, **kwargs)


def member(centre, role, **kwargs):
    """A person with ``role`` at ``centre`` (``kwargs`` go to MembershipFactory)."""
    return MembershipFactory(centre=centre, role=role, **kwargs).user


def enrol(centre, unit, *, assessor=None, **learner):
    """A learner of ``centre``, who signs in, on ``unit`` (offered at the centre), allocated
    to ``assessor`` (a new one, Tom Hughes, unless given). ``learner`` goes to LearnerFactory."""
    set_offered_units(centre=centre, urns=[unit.urn])
    user = MembershipFactory(centre=centre, role=Role.LEARNER).user
    if assessor is None:
        assessor = member(centre, Role.ASSESSOR, user__first_name="Tom", user__last_name="Hughes")
    enrolment = EnrolmentFactory(learner=LearnerFactory(centre=centre, user=user, **learner), unit=unit)
    with centre_scope(centre):
        allocate_assessor(enrolment=enrolment, assessor=assessor)
    return enrolment


def criteria_of(unit, *codes):
    """The criteria of ``unit`` with ``codes``, in that order."""
    found = {c.code: c for c in AssessmentCriterion.objects.filter(outcome__page=unit, code__in=codes)}
    return [found[code] for code in codes]


def all_codes(unit):
    return [c.code for o in unit.learning_outcomes.all() for c in o.criteria.all()]


def decide(enrolment, code, outcome="met", feedback="Well evidenced.", seen=None):
    """Record a decision as the allocated assessor (inside the centre's scope)."""
    (criterion,) = criteria_of(enrolment.unit, code)
    if seen is None:
        seen = CriterionDecision.objects.filter(enrolment=enrolment, criterion=criterion).count()
    return record_criterion_decision(
        enrolment=enrolment,
        assessor=enrolment.assessor,
        criterion=criterion,
        judgement=Judgement(outcome, feedback, seen),
    )


def meet_everything(enrolment):
    for code in all_codes(enrolment.unit):
        decide(enrolment, code)


def stored_names(storage) -> list[str]:
    """Every file in ``storage``, walked from the top."""

    def walk(folder):
        folders, files = storage.listdir(folder)
        yield from (f"{folder}/{name}".lstrip("/") for name in files)
        for sub in folders:
            yield from walk(f"{folder}/{sub}".lstrip("/"))

    return sorted(walk("")) if storage.exists("") else []


def draftail(text: str) -> str:
    block = {
        "key": "a1b2c",
        "type": "unstyled",
        "text": text,
        "depth": 0,
        "inlineStyleRanges": [],
        "entityRanges": [],
    }
    return json.dumps({"blocks": [block], "entityMap": {}})


def signed_off(*, centre, unit, assessor, first, last, email, candidate, title, body, file_name, content):
    """A learner with an account, whose one item (with one file) meets every criterion of
    ``unit``, assessed, signed off and countersigned. Call inside the centre's scope."""
    user = MembershipFactory(
        centre=centre, role=Role.LEARNER, user__first_name=first, user__last_name=last, user__email=email
    ).user
    learner = LearnerFactory(
        centre=centre,
        user=user,
        first_name=first,
        last_name=last,
        email=email,
        candidate_number=candidate,
    )
    enrolment = EnrolmentFactory(learner=learner, unit=unit)
    allocate_assessor(enrolment=enrolment, assessor=assessor)
    enrolment.refresh_from_db()
    item = EvidenceItemFactory(learner=learner, title=title, body=body)
    add_evidence_files(item=item, actor=user, uploads=[pdf_upload(file_name, content)])
    criteria = [c for o in unit.learning_outcomes.all() for c in o.criteria.all()]
    set_evidence_mappings(item=item, actor=user, claims={c.pk: f"Shows {c.code}." for c in criteria})
    submit_evidence_item(item=item, actor=user, declared=True)
    assess_submission(
        item=item,
        assessor=assessor,
        judgements={c.pk: Judgement("met", "Clear and well evidenced.", 0) for c in criteria},
    )
    sign_off = sign_off_unit(enrolment=enrolment, assessor=assessor, declared=True)
    countersign_unit(sign_off=sign_off, learner_user=user, declared=True)
    return enrolment
