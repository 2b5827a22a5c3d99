import pytest

from centre.models import Role
from centre.scoping import centre_scope, scopes_disabled
from centre.services import set_offered_units
from learners.services import allocate_assessor
from tests.factories import EnrolmentFactory, LearnerFactory, MembershipFactory


@pytest.fixture
def other_unit(db, seed_unit_bytes):
    """A second unit in the catalogue, on which the learner is not enrolled."""
    from units.parsing import parse_unit_file
    from units.selectors import unit_by_urn
    from units.services import import_unit

    spec = seed_unit_bytes.replace(b"R/600/9587", b"T/600/0001").replace(
        b"personal networks", b"team meetings"
    )
    import_unit(spec=parse_unit_file(spec))
    return unit_by_urn(urn="T/600/0001")


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
