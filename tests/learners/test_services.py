import pytest

from audit.models import AuditRecord
from centre.models import Role
from centre.services import end_membership
from common.scoping import centre_scope, scopes_disabled
from learners.models import Enrolment
from learners.policies import ASSESS, enrolment_policy
from learners.services import AllocationError, allocate_assessor
from tests.factories import EnrolmentFactory, MembershipFactory


@pytest.fixture
def enrolment(centre_a, seed_unit):
    return EnrolmentFactory(learner__centre=centre_a, unit=seed_unit)


def assessor_of(centre):
    return MembershipFactory(centre=centre, role=Role.ASSESSOR).user


def can_assess(user, enrolment) -> bool:
    """As the person's next request sees it: the enrolment as it stands now."""
    with scopes_disabled():
        enrolment = Enrolment.objects.get(pk=enrolment.pk)
    return enrolment_policy.user_has_permission_for_instance(user, ASSESS, enrolment)


def test_allocating_an_assessor_grants_exactly_that_enrolment(centre_a, enrolment, seed_unit):
    assessor = assessor_of(centre_a)
    other = EnrolmentFactory(learner__centre=centre_a, unit=seed_unit)
    with centre_scope(centre_a):
        allocate_assessor(enrolment=enrolment, assessor=assessor)
    assert can_assess(assessor, enrolment)
    assert not can_assess(assessor, other)
    with centre_scope(centre_a):
        assert list(enrolment_policy.instances_user_has_permission_for(assessor, ASSESS)) == [enrolment]


def test_reallocating_moves_the_grant(centre_a, enrolment):
    first, second = assessor_of(centre_a), assessor_of(centre_a)
    with centre_scope(centre_a):
        allocate_assessor(enrolment=enrolment, assessor=first)
        allocate_assessor(enrolment=enrolment, assessor=second)
        verbs = list(AuditRecord.objects.values_list("verb", flat=True))
    assert not can_assess(first, enrolment)
    assert can_assess(second, enrolment)
    assert verbs.count("enrolment.assessor_allocated") == 2


def test_only_an_assessor_of_the_same_centre_can_be_allocated(centre_a, centre_b, enrolment):
    outsider = assessor_of(centre_b)
    with (
        centre_scope(centre_a),
        pytest.raises(AllocationError, match="is not an assessor of Northgate College"),
    ):
        allocate_assessor(enrolment=enrolment, assessor=outsider)
    assert not can_assess(outsider, enrolment)


def test_ending_an_assessors_membership_removes_every_grant_in_that_centre_at_once(
    centre_a, centre_b, seed_unit
):
    assessor = assessor_of(centre_a)
    MembershipFactory(centre=centre_b, user=assessor, role=Role.ASSESSOR)
    mine = [EnrolmentFactory(learner__centre=centre_a, unit=seed_unit) for _ in range(3)]
    elsewhere = EnrolmentFactory(learner__centre=centre_b, unit=seed_unit)
    for enrolment in mine:
        with centre_scope(centre_a):
            allocate_assessor(enrolment=enrolment, assessor=assessor)
    with centre_scope(centre_b):
        allocate_assessor(enrolment=elsewhere, assessor=assessor)
    with scopes_disabled():
        membership = assessor.memberships.get(centre=centre_a)

    end_membership(membership=membership)

    assert not any(can_assess(assessor, enrolment) for enrolment in mine)
    assert can_assess(assessor, elsewhere)
    with scopes_disabled():
        assert not Enrolment.objects.filter(assessor=assessor, centre=centre_a).exists()
        assert AuditRecord.objects.filter(verb="membership.ended", centre=centre_a).count() == 1
