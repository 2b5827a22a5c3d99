import pytest

from assessment.services import Judgement, record_criterion_decision
from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope, scopes_disabled
from learners.services import allocate_assessor
from tests.factories import EnrolmentFactory, LearnerFactory, MembershipFactory
from tests.learners.conftest import criteria_of


@pytest.fixture
def enrolment(centre_a, seed_unit):
    """A learner of centre A on the seed unit, with an allocated assessor."""
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with scopes_disabled():
        user = MembershipFactory(centre=centre_a, role=Role.LEARNER).user
        assessor = MembershipFactory(
            centre=centre_a, role=Role.ASSESSOR, user__first_name="Tom", user__last_name="Hughes"
        ).user
        learner = LearnerFactory(centre=centre_a, user=user, first_name="Ada", last_name="Lovelace")
        enrolment = EnrolmentFactory(learner=learner, unit=seed_unit)
    with centre_scope(centre_a):
        allocate_assessor(enrolment=enrolment, assessor=assessor)
    return enrolment


@pytest.fixture
def in_centre_a(centre_a):
    with centre_scope(centre_a):
        yield


def member(centre, role, **kwargs):
    with scopes_disabled():
        return MembershipFactory(centre=centre, role=role, **kwargs).user


def all_codes(unit):
    return [c.code for o in unit.learning_outcomes.all() for c in o.criteria.all()]


def decide(enrolment, code, outcome="met", feedback="Well evidenced.", seen=None):
    """Record a decision as the allocated assessor (inside the centre's scope)."""
    from assessment.models import CriterionDecision

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
