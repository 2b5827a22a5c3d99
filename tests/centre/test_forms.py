"""The centre's forms and filters: bad input is a clear error on the form, or narrows
nothing, never a crash."""

import pytest
from django.urls import reverse

from audit.services import record_audit
from centre.filters import AuditTrailFilter
from centre.forms import ChooseCentreForm
from centre.models import Role
from centre.selectors import centres_for_user
from centre.services import CentreServiceError, add_member
from common.scoping import centre_scope, scopes_disabled
from tests.factories import MembershipFactory


@pytest.fixture
def trail(centre_a):
    with scopes_disabled():
        assessor = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user
        iqa = MembershipFactory(centre=centre_a, role=Role.IQA).user
    with centre_scope(centre_a):
        record_audit(actor=assessor, verb="centre.units_offered", target=centre_a, centre=centre_a, learner=7)
        record_audit(actor=iqa, verb="centre.units_offered", target=centre_a, centre=centre_a, unit=9)
    return {"assessor": assessor, "iqa": iqa}


def _shown(data, centre):
    with centre_scope(centre):
        trail = AuditTrailFilter(data, centre=centre)
        return trail, list(trail.qs)


def test_the_audit_trail_filter_narrows_by_learner_assessor_and_unit(trail, centre_a):
    assert len(_shown({}, centre_a)[1]) == 2
    assert [r.learner_ref for r in _shown({"learner": "7"}, centre_a)[1]] == [7]
    assert [r.unit_ref for r in _shown({"unit": "9"}, centre_a)[1]] == [9]
    chosen, records = _shown({"assessor": str(trail["assessor"].pk)}, centre_a)
    assert [r.actor_key for r in records] == [trail["assessor"].audit_key]
    assert chosen.chosen == {"learner": None, "assessor": trail["assessor"].pk, "unit": None}


@pytest.mark.parametrize(
    "junk", [{"learner": "abc"}, {"learner": "-3"}, {"unit": "9.5"}, {"page": "0"}, {"page": "many"}]
)
def test_junk_in_the_audit_trail_filter_narrows_nothing(trail, centre_a, junk):
    chosen, records = _shown(junk, centre_a)
    assert len(records) == 2
    assert chosen.page == 1
    assert chosen.chosen == {"learner": None, "assessor": None, "unit": None}


def test_someone_who_is_not_an_assessor_here_narrows_nothing(trail, centre_a):
    chosen, records = _shown({"assessor": str(trail["iqa"].pk)}, centre_a)
    assert len(records) == 2 and chosen.chosen["assessor"] is None


def test_the_audit_trail_page_takes_junk_without_failing(client, trail, centre_a):
    client.force_login(trail["iqa"])
    response = client.get(reverse("centre:audit_trail"), {"learner": "x", "assessor": "y", "page": "z"})
    assert response.status_code == 200
    assert "(2 in all)" in response.content.decode()


def test_a_centre_not_among_yours_cannot_be_chosen(centre_a, centre_b):
    with scopes_disabled():
        user = MembershipFactory(centre=centre_a, role=Role.IQA).user
        centres = centres_for_user(user=user)
        assert ChooseCentreForm({"centre": str(centre_a.pk)}, centres=centres).is_valid()
        assert not ChooseCentreForm({"centre": str(centre_b.pk)}, centres=centres).is_valid()
        assert not ChooseCentreForm({"centre": "abc"}, centres=centres).is_valid()


def test_choosing_a_centre_that_is_not_a_key_is_not_found(client, centre_a):
    with scopes_disabled():
        client.force_login(MembershipFactory(centre=centre_a, role=Role.IQA).user)
    assert client.post(reverse("centre:choose"), {"centre": "abc"}).status_code == 404
    assert client.post(reverse("centre:choose"), {}).status_code == 404


def test_an_email_address_the_account_refuses_is_a_service_error_on_the_email_field(centre_a):
    with pytest.raises(CentreServiceError, match=r"Enter a valid email address\.") as refused:
        add_member(centre=centre_a, email="not-an-email", role=Role.IQA)
    assert refused.value.field == "email"
