import pytest
from django.core import checks
from django.db import models
from django.test import RequestFactory
from django_scopes import ScopeError

from centre.checks import check_centre_owned_models_are_scoped
from centre.middleware import CentreScopeMiddleware
from centre.models import Centre, Membership, Role
from centre.selectors import CURRENT_CENTRE_SESSION_KEY
from common.scoping import centre_scope
from tests.factories import MembershipFactory, UserFactory


def test_centre_owned_query_without_a_scope_fails_loudly(centre_a):
    with pytest.raises(ScopeError):
        list(Membership.objects.all())
    with pytest.raises(ScopeError):
        Centre.objects.get(pk=centre_a.pk)


def test_scope_shows_only_the_active_centres_rows(centre_a, centre_b):
    mine = MembershipFactory(centre=centre_a)
    MembershipFactory(centre=centre_b)
    with centre_scope(centre_a):
        assert list(Membership.objects.all()) == [mine]
        assert list(Centre.objects.all()) == [centre_a]
        assert not Centre.objects.filter(pk=centre_b.pk).exists()


def test_no_centre_means_no_rows_rather_than_every_centres_rows(centre_a):
    MembershipFactory(centre=centre_a)
    with centre_scope(None):
        assert Membership.objects.count() == 0
        assert Centre.objects.count() == 0


def test_every_installed_centre_owned_model_is_scoped(db):
    assert check_centre_owned_models_are_scoped() == []


def test_system_check_names_a_centre_owned_model_without_a_scoped_manager(db):
    class UnscopedNote(models.Model):
        centre = models.ForeignKey(Centre, on_delete=models.CASCADE)

        class Meta:
            app_label = "testapp"

    from django.apps import apps

    try:
        errors = check_centre_owned_models_are_scoped()
    finally:
        del apps.all_models["testapp"]["unscopednote"]
        apps.clear_cache()
    assert [error.id for error in errors] == ["centre.E001"]
    assert isinstance(errors[0], checks.Error)
    assert "testapp.UnscopedNote" in errors[0].msg


def _request_for(user, session=None):
    request = RequestFactory().get("/")
    request.user = user
    request.session = session or {}
    return request


def _centre_seen_by(request):
    seen = {}

    def view(request):
        seen["centre"] = request.centre
        seen["memberships"] = list(Membership.objects.values_list("centre__number", flat=True))
        return None

    CentreScopeMiddleware(view)(request)
    return seen


def test_request_of_a_member_of_one_centre_is_scoped_to_it(centre_a, centre_b):
    membership = MembershipFactory(centre=centre_a, role=Role.ASSESSOR)
    MembershipFactory(centre=centre_b)
    seen = _centre_seen_by(_request_for(membership.user))
    assert seen == {"centre": centre_a, "memberships": ["10001"]}


def test_person_in_two_centres_works_in_the_one_chosen_and_sees_only_it(centre_a, centre_b):
    user = UserFactory()
    MembershipFactory(centre=centre_a, user=user)
    MembershipFactory(centre=centre_b, user=user, role=Role.MODERATOR)
    assert _centre_seen_by(_request_for(user))["centre"] is None
    seen = _centre_seen_by(_request_for(user, {CURRENT_CENTRE_SESSION_KEY: centre_b.pk}))
    assert seen == {"centre": centre_b, "memberships": ["20002"]}


def test_session_cannot_choose_a_centre_the_person_does_not_belong_to(centre_a, centre_b):
    membership = MembershipFactory(centre=centre_a)
    seen = _centre_seen_by(_request_for(membership.user, {CURRENT_CENTRE_SESSION_KEY: centre_b.pk}))
    assert seen["centre"] == centre_a


def test_ended_membership_gives_no_centre(centre_a):
    membership = MembershipFactory(centre=centre_a, is_active=False)
    assert _centre_seen_by(_request_for(membership.user)) == {"centre": None, "memberships": []}


def test_visitor_request_sees_no_centre_owned_rows(centre_a):
    from django.contrib.auth.models import AnonymousUser

    MembershipFactory(centre=centre_a)
    assert _centre_seen_by(_request_for(AnonymousUser())) == {"centre": None, "memberships": []}


@pytest.mark.parametrize(
    "read",
    [
        lambda objects: objects.exists(),
        lambda objects: objects.all().exists(),
        lambda objects: objects.exclude(role="learner").exists(),
        lambda objects: objects.count(),
        lambda objects: objects.first(),
        lambda objects: objects.in_bulk(),
        lambda objects: list(objects.values_list("pk", flat=True)),
        lambda objects: objects.contains(Membership(pk=1)),
        lambda objects: objects.aggregate(models.Count("pk")),
        lambda objects: objects.iterator(),
        lambda objects: bool(objects.all()),
    ],
)
def test_every_way_of_reading_without_a_scope_fails(centre_a, read):
    MembershipFactory(centre=centre_a)
    with pytest.raises(ScopeError):
        read(Membership.objects)
