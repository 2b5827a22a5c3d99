"""The moderation sample policy (``moderation.policies``): a moderator may moderate a
sample while their access to it is live (``ModeratorAccess.objects.live()``), and not a
moment after it expires or is revoked."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from guardian.shortcuts import assign_perm

from centre.models import Role
from common.scoping import centre_scope, scopes_disabled
from moderation.models import MODERATE as MODERATE_GRANT
from moderation.models import ModerationSample, ModeratorAccess
from moderation.policies import MODERATE, moderation_sample_policy
from tests.factories import MembershipFactory


def member(centre, role):
    with scopes_disabled():
        return MembershipFactory(centre=centre, role=role).user


def sample_of(centre, unit) -> ModerationSample:
    with scopes_disabled():
        return ModerationSample.objects.create(centre=centre, unit=unit, created_at=timezone.now())


def access(sample, moderator, *, days: int = 30, granted: bool = True) -> ModeratorAccess:
    """An access as ``grant_moderator_access`` gives it: the row and the per-object grant."""
    now = timezone.now()
    with scopes_disabled():
        if granted:
            assign_perm(MODERATE_GRANT, moderator, sample)
        return ModeratorAccess.objects.create(
            centre=sample.centre,
            sample=sample,
            moderator=moderator,
            granted_at=now,
            expires_at=now + datetime.timedelta(days=days),
        )


@pytest.fixture
def world(centre_a, centre_b, seed_unit):
    mo, max_ = member(centre_a, Role.MODERATOR), member(centre_a, Role.MODERATOR)
    sample, other, elsewhere = (
        sample_of(centre_a, seed_unit),
        sample_of(centre_a, seed_unit),
        sample_of(centre_b, seed_unit),
    )
    return SimpleNamespace(
        mo=mo,
        max=max_,
        sample=sample,
        other=other,
        elsewhere=elsewhere,
        access=access(sample, mo),
        theirs=access(elsewhere, max_),
    )


def may(user, sample) -> bool:
    with centre_scope(sample.centre):
        answer = moderation_sample_policy.user_has_permission_for_instance(user, MODERATE, sample)
        page = moderation_sample_policy.instances_user_has_permission_for(user, MODERATE)
        assert answer == page.filter(pk=sample.pk).exists()
        return answer


def test_a_moderator_with_live_access_may_moderate_that_sample_alone(world, centre_a):
    assert may(world.mo, world.sample)
    assert not may(world.mo, world.other)
    assert not may(world.max, world.sample)
    assert not may(AnonymousUser(), world.sample)
    with centre_scope(centre_a):
        assert list(moderation_sample_policy.users_with_permission_for_instance(MODERATE, world.sample)) == [
            world.mo
        ]


def test_access_to_another_centres_sample_reaches_nothing_here(world, centre_a):
    assert may(world.max, world.elsewhere)
    assert not may(world.mo, world.elsewhere)
    with centre_scope(centre_a):
        assert not moderation_sample_policy.instances_user_has_permission_for(world.max, MODERATE).exists()


def test_access_ends_the_moment_it_expires(world):
    with time_machine.travel(world.access.expires_at - datetime.timedelta(seconds=1)):
        assert may(world.mo, world.sample)
    with time_machine.travel(world.access.expires_at):
        assert not may(world.mo, world.sample)


def test_access_ends_when_revoked_and_a_new_grant_gives_it_to_whoever_it_names(world):
    with scopes_disabled():
        ModeratorAccess.objects.filter(pk=world.access.pk).update(revoked_at=timezone.now())
    assert not may(world.mo, world.sample)
    access(world.sample, world.max)
    assert may(world.max, world.sample)
    assert not may(world.mo, world.sample)


def test_without_any_access_nobody_may_moderate(world):
    assert not may(world.mo, world.other)
    assert not may(world.max, world.other)


def test_a_page_of_samples_is_checked_in_one_query(world, centre_a, django_assert_num_queries):
    access(world.other, world.mo)
    with centre_scope(centre_a), django_assert_num_queries(1):
        samples = set(moderation_sample_policy.instances_user_has_permission_for(world.mo, MODERATE))
    assert samples == {world.sample, world.other}


@pytest.mark.django_db
def test_an_access_without_its_grant_gives_nothing(centre_a, seed_unit):
    moderator = member(centre_a, Role.MODERATOR)
    sample = sample_of(centre_a, seed_unit)
    access(sample, moderator, granted=False)
    with centre_scope(centre_a):
        assert not moderation_sample_policy.user_has_permission_for_instance(moderator, MODERATE, sample)
        assert not moderation_sample_policy.instances_user_has_permission_for(moderator, MODERATE).exists()
