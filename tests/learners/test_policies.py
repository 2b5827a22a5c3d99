"""The enrolment policy (``learners.policies``): the allocated assessor, and nobody else,
may assess an enrolment; the allocation is ``Enrolment.assessor`` alone. And the
assessor's pages that check many enrolments do so in a number of queries that does not
grow with them."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from centre.models import Role
from centre.services import end_membership, set_offered_units
from common.scoping import centre_scope, scopes_disabled
from learners.models import Enrolment
from learners.policies import ASSESS, enrolment_policy
from learners.services import allocate_assessor
from portfolio.services import set_evidence_mappings, submit_evidence_item
from tests.factories import (
    EnrolmentFactory,
    EvidenceItemFactory,
    LearnerFactory,
    MembershipFactory,
    UserFactory,
)
from tests.factories.cohort import wide_unit


@pytest.fixture
def world(centre_a, centre_b, seed_unit):
    with scopes_disabled():
        tom = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user
        ria = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user
        sam = MembershipFactory(centre=centre_b, role=Role.ASSESSOR).user
        mine = EnrolmentFactory(learner__centre=centre_a, unit=seed_unit)
        unallocated = EnrolmentFactory(learner__centre=centre_a, unit=seed_unit)
        elsewhere = EnrolmentFactory(learner__centre=centre_b, unit=seed_unit)
    with centre_scope(centre_a):
        allocate_assessor(enrolment=mine, assessor=tom)
    with centre_scope(centre_b):
        allocate_assessor(enrolment=elsewhere, assessor=sam)
    return SimpleNamespace(tom=tom, ria=ria, sam=sam, mine=mine, unallocated=unallocated, elsewhere=elsewhere)


def may_assess(user, enrolment) -> bool:
    """As the person's next request sees it: the enrolment as it stands now."""
    with scopes_disabled():
        enrolment = Enrolment.objects.get(pk=enrolment.pk)
    return enrolment_policy.user_has_permission_for_instance(user, ASSESS, enrolment)


def assessable(user, centre) -> set[int]:
    with centre_scope(centre):
        return set(
            enrolment_policy.instances_user_has_permission_for(user, ASSESS).values_list("pk", flat=True)
        )


def test_the_allocated_assessor_may_assess_their_enrolment_and_nobody_else(world, centre_a):
    assert may_assess(world.tom, world.mine)
    assert not may_assess(world.ria, world.mine)
    assert assessable(world.tom, centre_a) == {world.mine.pk}
    assert assessable(world.ria, centre_a) == set()
    with centre_scope(centre_a):
        assert enrolment_policy.user_has_permission(world.tom, ASSESS)
        assert not enrolment_policy.user_has_permission(world.ria, ASSESS)
        assert list(enrolment_policy.users_with_permission_for_instance(ASSESS, world.mine)) == [world.tom]


def test_nobody_may_assess_an_unallocated_enrolment_not_even_a_superuser(world, centre_a):
    boss = UserFactory(is_superuser=True, is_staff=True)
    for person in [world.tom, world.ria, boss, AnonymousUser()]:
        assert not may_assess(person, world.unallocated)
    assert world.unallocated.pk not in assessable(world.tom, centre_a)
    assert assessable(boss, centre_a) == assessable(AnonymousUser(), centre_a) == set()
    with centre_scope(centre_a):
        assert not enrolment_policy.users_with_permission_for_instance(ASSESS, world.unallocated).exists()


def test_an_assessor_of_another_centre_may_assess_nothing_here(world, centre_a, centre_b):
    assert not may_assess(world.sam, world.mine)
    assert not may_assess(world.tom, world.elsewhere)
    assert assessable(world.sam, centre_a) == set()
    assert assessable(world.tom, centre_b) == set()
    assert assessable(world.sam, centre_b) == {world.elsewhere.pk}


def test_reallocating_moves_the_right_to_assess_and_ending_the_role_takes_it_away(world, centre_a):
    with centre_scope(centre_a):
        allocate_assessor(enrolment=world.mine, assessor=world.ria)
    assert may_assess(world.ria, world.mine)
    assert not may_assess(world.tom, world.mine)
    assert assessable(world.tom, centre_a) == set()

    with scopes_disabled():
        membership = world.ria.memberships.get(centre=centre_a)
    end_membership(membership=membership)
    assert not may_assess(world.ria, world.mine)
    assert assessable(world.ria, centre_a) == set()


def test_the_batched_check_reads_a_page_of_enrolments_without_a_query(
    world, centre_a, django_assert_num_queries
):
    with scopes_disabled():
        page = list(Enrolment.objects.filter(centre=centre_a))
    with django_assert_num_queries(0):
        assert enrolment_policy.permitted_ids(world.tom, ASSESS, page) == {world.mine.pk}
        assert enrolment_policy.permitted_ids(world.ria, ASSESS, page) == set()


def test_an_action_it_does_not_know_is_a_mistake_not_a_no(world):
    with pytest.raises(ValueError, match="no action"):
        enrolment_policy.user_has_permission_for_instance(world.tom, "delete", world.mine)


# --- The assessor's pages ------------------------------------------------------------------


def item_across_units(centre, *, units: int):
    """An assessor, and one submitted item of a learner mapped to every criterion of
    ``units`` wide units, one enrolment each, all allocated to that assessor."""
    with scopes_disabled():
        assessor = MembershipFactory(centre=centre, role=Role.ASSESSOR).user
        learner_user = MembershipFactory(centre=centre, role=Role.LEARNER).user
        learner = LearnerFactory(centre=centre, user=learner_user)
    made = [wide_unit(urn=f"Y/600/{20 + n:04d}") for n in range(units)]
    set_offered_units(centre=centre, urns=[unit.urn for unit in made])
    with centre_scope(centre):
        for unit in made:
            enrolment = EnrolmentFactory(learner=learner, unit=unit)
            allocate_assessor(enrolment=enrolment, assessor=assessor)
        item = EvidenceItemFactory(learner=learner)
        claims = {
            c.pk: "Meets it." for unit in made for o in unit.learning_outcomes.all() for c in o.criteria.all()
        }
        set_evidence_mappings(item=item, actor=learner_user, claims=claims)
        submit_evidence_item(item=item, actor=learner_user, declared=True)
    return assessor, item


@pytest.mark.django_db
def test_judging_evidence_mapped_to_many_enrolments_takes_the_same_queries_as_one(
    client, centre_a, django_assert_max_num_queries
):
    assessor, one = item_across_units(centre_a, units=1)
    client.force_login(assessor)
    url = reverse("assessment:judge", kwargs={"item_id": one.pk})
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200

    client.logout()
    other_assessor, many = item_across_units(centre_a, units=4)
    client.force_login(other_assessor)
    url = reverse("assessment:judge", kwargs={"item_id": many.pk})
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count('name="feedback-') == 4 * 20
