"""The evidence policies (``portfolio.policies``): an item is assessed by the assessor of
an enrolment it is mapped to; a file is seen by its learner in every state and, once
submitted, by their centre's IQAs and that assessor. Each answers for one object and,
in one query, for a page."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope, scopes_disabled
from learners.services import allocate_assessor
from portfolio.models import EvidenceFile, EvidenceItem
from portfolio.policies import ASSESS, DOWNLOAD, VIEW, evidence_file_policy, evidence_item_policy
from portfolio.services import add_evidence_files
from tests.factories import (
    EnrolmentFactory,
    EvidenceItemFactory,
    LearnerFactory,
    MembershipFactory,
    pdf_upload,
    submitted_evidence,
)


def member(centre, role):
    with scopes_disabled():
        return MembershipFactory(centre=centre, role=role).user


@pytest.fixture
def world(centre_a, centre_b, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    set_offered_units(centre=centre_b, urns=["R/600/9587"])
    tom, ria = member(centre_a, Role.ASSESSOR), member(centre_a, Role.ASSESSOR)
    iqa, iqa_elsewhere = member(centre_a, Role.IQA), member(centre_b, Role.IQA)
    sam = member(centre_b, Role.ASSESSOR)
    learner_user = member(centre_a, Role.LEARNER)
    with scopes_disabled():
        learner = LearnerFactory(centre=centre_a, user=learner_user)
        enrolment = EnrolmentFactory(learner=learner, unit=seed_unit)
    with centre_scope(centre_a):
        allocate_assessor(enrolment=enrolment, assessor=tom)
        submitted = submitted_evidence(enrolment)
        draft = EvidenceItemFactory(learner=learner)
        add_evidence_files(item=draft, actor=learner_user, uploads=[pdf_upload("draft.pdf")])
    with scopes_disabled():
        other_centre = EnrolmentFactory(learner__centre=centre_b, unit=seed_unit)
    with centre_scope(centre_b):
        allocate_assessor(enrolment=other_centre, assessor=sam)
        theirs = submitted_evidence(other_centre)
    return SimpleNamespace(
        tom=tom,
        ria=ria,
        iqa=iqa,
        iqa_elsewhere=iqa_elsewhere,
        sam=sam,
        learner=learner_user,
        enrolment=enrolment,
        submitted=submitted,
        draft=draft,
        theirs=theirs,
    )


def may(policy, user, action, instance, centre) -> bool:
    """Asked as a request of ``centre`` asks it, of the object as it stands now."""
    with centre_scope(centre):
        instance = (
            type(instance).objects.select_related("item__learner").get(pk=instance.pk)
            if isinstance(instance, EvidenceFile)
            else type(instance).objects.get(pk=instance.pk)
        )
        answer = policy.user_has_permission_for_instance(user, action, instance)
        # The page's answer, in one query, is the same.
        assert (
            answer == policy.instances_user_has_permission_for(user, action).filter(pk=instance.pk).exists()
        )
        return answer


def file_of(item, centre) -> EvidenceFile:
    with centre_scope(centre):
        return EvidenceFile.objects.get(item=item)


def test_the_allocated_assessor_may_assess_the_evidence_mapped_to_their_enrolment(world, centre_a):
    assert may(evidence_item_policy, world.tom, ASSESS, world.submitted, centre_a)
    assert not may(evidence_item_policy, world.ria, ASSESS, world.submitted, centre_a)
    assert not may(evidence_item_policy, world.iqa, ASSESS, world.submitted, centre_a)
    # Evidence mapped to nothing is nobody's to assess.
    assert not may(evidence_item_policy, world.tom, ASSESS, world.draft, centre_a)


def test_an_assessor_of_another_centre_may_assess_and_see_nothing_here(world, centre_a, centre_b):
    assert not may(evidence_item_policy, world.sam, ASSESS, world.submitted, centre_a)
    assert not may(evidence_file_policy, world.sam, VIEW, file_of(world.submitted, centre_a), centre_a)
    assert not may(
        evidence_file_policy, world.iqa_elsewhere, VIEW, file_of(world.submitted, centre_a), centre_a
    )
    assert not may(evidence_item_policy, world.tom, ASSESS, world.theirs, centre_b)
    assert not may(evidence_file_policy, world.iqa, DOWNLOAD, file_of(world.theirs, centre_b), centre_b)
    assert may(evidence_file_policy, world.sam, DOWNLOAD, file_of(world.theirs, centre_b), centre_b)


def test_the_learner_sees_their_files_in_every_state_staff_only_once_submitted(world, centre_a):
    submitted, draft = file_of(world.submitted, centre_a), file_of(world.draft, centre_a)
    for action in (VIEW, DOWNLOAD):
        assert may(evidence_file_policy, world.learner, action, submitted, centre_a)
        assert may(evidence_file_policy, world.learner, action, draft, centre_a)
        assert may(evidence_file_policy, world.tom, action, submitted, centre_a)
        assert may(evidence_file_policy, world.iqa, action, submitted, centre_a)
        for person in (world.tom, world.iqa, world.ria):
            assert not may(evidence_file_policy, person, action, draft, centre_a)
        assert not may(evidence_file_policy, world.ria, action, submitted, centre_a)
        assert not may(evidence_file_policy, AnonymousUser(), action, submitted, centre_a)


def test_unallocated_evidence_is_seen_by_the_iqa_and_assessed_by_nobody(world, centre_a):
    with centre_scope(centre_a):
        allocate_assessor(enrolment=world.enrolment, assessor=None)
    submitted = file_of(world.submitted, centre_a)
    assert not may(evidence_item_policy, world.tom, ASSESS, world.submitted, centre_a)
    assert not may(evidence_file_policy, world.tom, VIEW, submitted, centre_a)
    assert may(evidence_file_policy, world.iqa, VIEW, submitted, centre_a)


def test_reallocating_moves_the_evidence_to_the_new_assessor(world, centre_a):
    with centre_scope(centre_a):
        allocate_assessor(enrolment=world.enrolment, assessor=world.ria)
    submitted = file_of(world.submitted, centre_a)
    assert may(evidence_item_policy, world.ria, ASSESS, world.submitted, centre_a)
    assert may(evidence_file_policy, world.ria, DOWNLOAD, submitted, centre_a)
    assert not may(evidence_item_policy, world.tom, ASSESS, world.submitted, centre_a)
    assert not may(evidence_file_policy, world.tom, DOWNLOAD, submitted, centre_a)


def test_a_page_of_evidence_is_checked_in_one_query(world, centre_a, django_assert_num_queries):
    with centre_scope(centre_a):
        with django_assert_num_queries(1):
            items = set(evidence_item_policy.instances_user_has_permission_for(world.tom, ASSESS))
        assert items == {EvidenceItem.objects.get(pk=world.submitted.pk)}
        with django_assert_num_queries(1):
            files = list(evidence_file_policy.instances_user_has_permission_for(world.iqa, VIEW))
        assert files == [EvidenceFile.objects.get(item=world.submitted)]
        with django_assert_num_queries(1):
            files = set(evidence_file_policy.instances_user_has_permission_for(world.learner, VIEW))
        assert files == set(EvidenceFile.objects.filter(item__in=[world.submitted, world.draft]))
