import pytest

from centre.models import Role
from centre.scoping import centre_scope, scopes_disabled
from centre.services import set_offered_units
from learners.services import allocate_assessor
from tests.factories import EnrolmentFactory, LearnerFactory, MembershipFactory


@pytest.fixture
def enrolment(centre_a, seed_unit):
    """A learner of centre A, who signs in, on the seed unit with an allocated assessor."""
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with scopes_disabled():
        user = MembershipFactory(centre=centre_a, role=Role.LEARNER).user
        assessor = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user
        learner = LearnerFactory(centre=centre_a, user=user, first_name="Ada", last_name="Lovelace")
        enrolment = EnrolmentFactory(learner=learner, unit=seed_unit)
    with centre_scope(centre_a):
        allocate_assessor(enrolment=enrolment, assessor=assessor)
    return enrolment


@pytest.fixture
def learner(enrolment):
    return enrolment.learner


@pytest.fixture
def in_centre_a(centre_a):
    with centre_scope(centre_a):
        yield


def criteria_of(unit, *codes):
    from units.models import AssessmentCriterion

    found = {c.code: c for c in AssessmentCriterion.objects.filter(outcome__page=unit, code__in=codes)}
    return [found[code] for code in codes]
