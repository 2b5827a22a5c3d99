import re

import pytest
from django.core import mail
from django.urls import reverse

from centre.models import Membership, OfferedUnit, Role
from common.scoping import centre_scope, scopes_disabled
from learners.policies import ASSESS, enrolment_policy
from learners.services import allocate_assessor
from tests.factories import EnrolmentFactory, MembershipFactory
from tests.helpers import decide, member, scoped


@pytest.fixture
def admin_client(client, centre_a):
    with scopes_disabled():
        client.force_login(MembershipFactory(centre=centre_a, role=Role.CENTRE_ADMIN).user)
    return client


def test_centre_admin_gives_a_new_person_a_role_and_they_are_invited(
    admin_client, centre_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("centre:staff"),
            {"email": "new@example.org", "first_name": "Nia", "last_name": "Reed", "role": "iqa"},
            follow=True,
        )
    page = response.content.decode()
    assert "new@example.org is now internal quality assurer here." in page
    assert "Nia Reed" in page
    assert mail.outbox[0].to == ["new@example.org"]


def test_a_malformed_email_is_refused_on_the_form(admin_client):
    response = admin_client.post(reverse("centre:staff"), {"email": "not-an-email", "role": "iqa"})
    assert "Enter a valid email address." in response.content.decode()
    assert mail.outbox == []


def test_ending_an_assessors_role_takes_their_learners_away_at_once(admin_client, centre_a, seed_unit):
    membership = MembershipFactory(centre=centre_a, role=Role.ASSESSOR)
    enrolment = EnrolmentFactory(learner__centre=centre_a, unit=seed_unit)
    with centre_scope(centre_a):
        allocate_assessor(enrolment=enrolment, assessor=membership.user)

    response = admin_client.post(
        reverse("centre:end_role", args=[membership.pk]), {"confirm": "on"}, follow=True
    )

    assert f"{membership.user.email} is no longer assessor here." in response.content.decode()
    with scopes_disabled():
        enrolment.refresh_from_db()
    assert not enrolment_policy.user_has_permission_for_instance(membership.user, ASSESS, enrolment)
    with scopes_disabled():
        assert not Membership.objects.get(pk=membership.pk).is_active


def test_ending_a_role_asks_for_confirmation_first(admin_client, centre_a):
    membership = MembershipFactory(centre=centre_a, role=Role.IQA)
    url = reverse("centre:end_role", args=[membership.pk])
    staff = admin_client.get(reverse("centre:staff")).content.decode()
    assert f'href="{url}"' in staff  # a link to a confirmation page, not a one-click form

    page = admin_client.get(url)
    assert page.status_code == 200
    assert f"End {membership.user.email}’s role as internal quality assurer?" in page.content.decode()
    refused = admin_client.post(url, {})
    assert refused.status_code == 400
    assert "Tick the box to confirm" in refused.content.decode()
    with scopes_disabled():
        assert Membership.objects.get(pk=membership.pk).is_active


def test_centre_admin_chooses_the_units_offered(admin_client, centre_a, seed_unit):
    page = admin_client.get(reverse("centre:units")).content.decode()
    assert "Develop, maintain and review personal networks (R/600/9587)" in page

    response = admin_client.post(reverse("centre:units"), {"units": [seed_unit.pk]}, follow=True)

    assert "The centre now offers R/600/9587." in response.content.decode()
    with centre_scope(centre_a):
        assert OfferedUnit.objects.get().unit == seed_unit


def test_a_unit_with_enrolments_stays_offered_with_a_message(admin_client, centre_a, seed_unit):
    admin_client.post(reverse("centre:units"), {"units": [seed_unit.pk]})
    EnrolmentFactory(learner__centre=centre_a, unit=seed_unit)
    response = admin_client.post(reverse("centre:units"), {})
    assert "Learners are enrolled on R/600/9587; it cannot stop being offered." in response.content.decode()


def test_staff_are_listed_as_a_person_files_names(admin_client, centre_a):
    names = [("Luiza", "de Souza"), ("Björk", "Ólafsdóttir"), ("Siobhán", "O'Neill"), ("Zoë", "Young")]
    for first, last in reversed(names):
        MembershipFactory(centre=centre_a, role=Role.IQA, user__first_name=first, user__last_name=last)
    page = admin_client.get(reverse("centre:staff")).content.decode()
    expected = [f"{first} {last}".replace("'", "&#x27;") for first, last in names]
    shown = [name for name in re.findall(r'<th scope="row">([^<]+)</th>', page) if name in expected]
    assert shown == expected


def test_audit_trail_filters_by_learner_assessor_and_unit(
    client, enrolment, centre_a, django_assert_max_num_queries
):
    scoped(centre_a, decide, enrolment, "1.1")
    from tests.factories import EnrolmentFactory, LearnerFactory

    other = EnrolmentFactory(learner=LearnerFactory(centre=centre_a, first_name="Bo"), unit=enrolment.unit)
    client.force_login(member(centre_a, Role.IQA))
    with django_assert_max_num_queries(15):
        page = client.get(reverse("centre:audit_trail"), {"learner": enrolment.learner_id}).content.decode()
    assert "Assessment decision recorded" in page and "Tom Hughes" in page and "Ada Lovelace" in page
    page = client.get(reverse("centre:audit_trail"), {"learner": other.learner_id}).content.decode()
    assert "Assessment decision recorded" not in page
    page = client.get(
        reverse("centre:audit_trail"), {"assessor": enrolment.assessor.pk, "unit": enrolment.unit_id}
    )
    assert "Assessment decision recorded" in page.content.decode()
    client.force_login(enrolment.assessor)
    assert client.get(reverse("centre:audit_trail")).status_code == 403
