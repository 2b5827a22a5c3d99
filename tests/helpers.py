"""Small helpers the suite's folders share: plain functions, imported where used (fixtures
live in tests/conftest.py, factories in tests/factories/)."""

import json
import re

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
from iqa.services import save_sampling_plan, start_samples
from learners.services import allocate_assessor
from portfolio.services import add_evidence_files, set_evidence_mappings, submit_evidence_item
from tests.factories import (
    EnrolmentFactory,
    EvidenceItemFactory,
    LearnerFactory,
    MembershipFactory,
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


def judged_met(item, *, assessor, criteria, feedback="Good."):
    """``item`` judged by ``assessor`` to meet each of ``criteria``. Call inside the
    centre's scope."""
    assess_submission(
        item=item, assessor=assessor, judgements={c.pk: Judgement("met", feedback, 0) for c in criteria}
    )


def countersigned(enrolment, *, assessor):
    """``enrolment``'s unit signed off by ``assessor`` and countersigned by its learner: the
    sign-off. Call inside the centre's scope."""
    sign_off = sign_off_unit(enrolment=enrolment, assessor=assessor, declared=True)
    countersign_unit(sign_off=sign_off, learner_user=enrolment.learner.user, declared=True)
    return sign_off


def allocated_learner(*, centre, unit, assessor, candidate_number: str, **person):
    """A learner of ``centre`` who signs in (``enrolment.learner.user``), enrolled on
    ``unit`` and allocated to ``assessor``: the enrolment. ``person`` (``first_name``,
    ``last_name``, ``email``) names both the learner and their account; the last name is
    otherwise ``Learner<candidate number>``. Call inside the centre's scope."""
    user = MembershipFactory(
        centre=centre, role=Role.LEARNER, **{f"user__{name}": value for name, value in person.items()}
    ).user
    learner = LearnerFactory(
        centre=centre,
        user=user,
        candidate_number=candidate_number,
        **{"last_name": f"Learner{candidate_number}", **person},
    )
    enrolment = EnrolmentFactory(learner=learner, unit=unit)
    allocate_assessor(enrolment=enrolment, assessor=assessor)
    enrolment.refresh_from_db()
    return enrolment


def signed_off_learner(
    *, centre, unit, assessor, candidate_number: str, files=(), title=None, body="My account.", **person
):
    """A learner of ``centre`` who signs in, on ``unit``, whose one evidence item (with
    ``files``) meets every criterion: submitted, judged met by ``assessor``, signed off and
    countersigned; the enrolment. ``person`` is as for ``allocated_learner``. Call inside
    the centre's scope."""
    enrolment = allocated_learner(
        centre=centre, unit=unit, assessor=assessor, candidate_number=candidate_number, **person
    )
    learner, user = enrolment.learner, enrolment.learner.user
    item = EvidenceItemFactory(learner=learner, title=title or f"Evidence of {candidate_number}", body=body)
    if files:
        add_evidence_files(item=item, actor=user, uploads=list(files))
    criteria = [c for o in unit.learning_outcomes.all() for c in o.criteria.all()]
    set_evidence_mappings(item=item, actor=user, claims={c.pk: f"Meets {c.code}." for c in criteria})
    submit_evidence_item(item=item, actor=user, declared=True)
    judged_met(item, assessor=assessor, criteria=criteria)
    countersigned(enrolment, assessor=assessor)
    return enrolment


def sampling_plan(unit, *, centre, iqa, standard_rate=25, higher_rate=50, risks=None):
    """``iqa``'s sampling plan for ``unit``, at the rates given, with no methods. Call
    inside the centre's scope."""
    return save_sampling_plan(
        centre=centre,
        unit=unit,
        actor=iqa,
        standard_rate=standard_rate,
        higher_rate=higher_rate,
        methods=[],
        risks=risks or {},
    )


def sampled_by_iqa(enrolment, *, iqa, stage="summative", **plan):
    """``enrolment`` sampled by ``iqa`` at ``stage``, under a plan of its unit (``plan``:
    the rates and risks of ``sampling_plan``). Call inside the centre's scope."""
    made = sampling_plan(enrolment.unit, centre=enrolment.centre, iqa=iqa, **plan)
    (sample,) = start_samples(plan=made, iqa=iqa, picks=[(enrolment.pk, stage)])
    return sample


def grid_state(page: str, code: str) -> str:
    """Where criterion ``code`` stands on a tracking grid (the portfolio home's, say)."""
    row = re.search(rf'<tr data-criterion="{re.escape(code)}">(.*?)</tr>', page, re.S).group(1)
    return re.search(r'<span class="state[^"]*">([^<]+)</span>', row).group(1)
