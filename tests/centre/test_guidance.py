"""Centre admins write their own guidance on units in the Wagtail admin; each centre's
admins see and change only their centre's, and its learners read it in their portfolio."""

import pytest
from django.urls import reverse

from centre.models import Role, UnitGuidance
from centre.services import set_offered_units
from common.scoping import centre_scope
from tests.factories import EnrolmentFactory, LearnerFactory
from tests.helpers import draftail, member

URLS = "wagtailsnippets_centre_unitguidance"


@pytest.fixture
def offered(centre_a, centre_b, seed_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    set_offered_units(centre=centre_b, urns=["R/600/9587"])
    return seed_unit


def test_centre_admin_writes_guidance_that_their_learners_read(client, centre_a, offered):
    client.force_login(member(centre_a, Role.CENTRE_ADMIN))
    form = client.get(reverse(f"{URLS}:add"))
    assert form.status_code == 200
    assert "One of the units Northgate College offers." in form.content.decode()
    response = client.post(
        reverse(f"{URLS}:add"), {"unit": offered.pk, "body": draftail("Bring your diary.")}
    )
    assert response.status_code == 302
    with centre_scope(centre_a):
        guidance = UnitGuidance.objects.get()
    assert guidance.centre == centre_a and "Bring your diary." in guidance.body

    learner_user = member(centre_a, Role.LEARNER)
    EnrolmentFactory(learner=LearnerFactory(centre=centre_a, user=learner_user), unit=offered)
    client.force_login(learner_user)
    page = client.get(reverse("assessment:learner_home")).content.decode()
    assert "Guidance from Northgate College" in page and "Bring your diary." in page


def test_guidance_only_for_offered_units_and_once_per_unit(client, centre_a, seed_unit, other_unit):
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    client.force_login(member(centre_a, Role.CENTRE_ADMIN))
    response = client.post(reverse(f"{URLS}:add"), {"unit": other_unit.pk, "body": draftail("x")})
    assert "Select a valid choice" in response.content.decode()
    client.post(reverse(f"{URLS}:add"), {"unit": seed_unit.pk, "body": draftail("First")})
    response = client.post(reverse(f"{URLS}:add"), {"unit": seed_unit.pk, "body": draftail("Second")})
    assert "Your centre already has guidance on this unit: change that instead." in response.content.decode()


def test_another_centres_admin_cannot_see_or_change_it(client, centre_a, centre_b, offered):
    with centre_scope(centre_a):
        guidance = UnitGuidance.objects.create(
            centre=centre_a, unit=offered, body="<p>Northgate’s own way</p>"
        )
    client.force_login(member(centre_b, Role.CENTRE_ADMIN))
    listing = client.get(reverse(f"{URLS}:list"))
    assert listing.status_code == 200 and "Guidance on" not in listing.content.decode()
    for view in ["edit", "delete", "history", "usage"]:
        path = reverse(f"{URLS}:{view}", args=[guidance.pk])
        assert client.get(path).status_code == 404, view
        assert (
            client.post(path, {"unit": offered.pk, "body": draftail("Southfield’s now")}).status_code == 404
        )
    with centre_scope(centre_a):
        guidance.refresh_from_db()
    assert guidance.body == "<p>Northgate’s own way</p>"


@pytest.mark.parametrize("role", [Role.LEARNER, Role.ASSESSOR, Role.IQA, Role.MODERATOR])
def test_other_roles_have_no_admin(client, centre_a, role):
    client.force_login(member(centre_a, role))
    assert client.get(reverse("wagtailadmin_home")).status_code == 302
    assert client.get(reverse(f"{URLS}:list")).status_code == 302


def test_admin_access_follows_the_centre_being_worked_in(client, centre_a, centre_b):
    from centre.selectors import CURRENT_CENTRE_SESSION_KEY

    person = member(centre_a, Role.CENTRE_ADMIN)
    member(centre_b, Role.LEARNER, user=person)
    client.force_login(person)
    session = client.session
    session[CURRENT_CENTRE_SESSION_KEY] = centre_a.pk
    session.save()
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    session[CURRENT_CENTRE_SESSION_KEY] = centre_b.pk
    session.save()
    assert client.get(reverse("wagtailadmin_home")).status_code == 302
