"""Where a learner stands on their qualification: the units signed off, credits achieved
group by group, what the rules of combination still ask for, on their portfolio."""

import dataclasses

import pytest
from django.utils import timezone

from assessment.models import UnitSignOff
from centre.services import set_offered_qualifications
from common.scoping import centre_scope
from learners.models import Enrolment, Registration
from tests.factories import LearnerFactory, MembershipFactory
from units.models import UnitPage
from units.parsing import parse_unit_file
from units.qualification_spec import progress, qualification_from_data
from units.services import import_qualification, import_unit

RULES = {
    "number": "601/1234/5",
    "title": "Level 2 Certificate in Workplace Skills",
    "total_credits": 12,
    "groups": [
        {"name": "Mandatory", "mandatory": True, "units": ["A/600/0001", "A/600/0002"]},
        {"name": "Optional", "min_credits": 4, "min_units": 1, "units": ["B/600/0001", "B/600/0002"]},
    ],
    "credits_at_or_above_level": {"level": 3, "credits": 3},
}
CREDITS = {"A/600/0001": 4, "A/600/0002": 3, "B/600/0001": 2, "B/600/0002": 5}
LEVELS = {"A/600/0001": 2, "A/600/0002": 2, "B/600/0001": 2, "B/600/0002": 3}


def standing(chosen, achieved):
    return progress(
        qualification_from_data(RULES),
        chosen=set(chosen),
        achieved=set(achieved),
        credits=CREDITS,
        levels=LEVELS,
    )


def test_nothing_achieved_leaves_every_rule_to_meet():
    still = standing(["B/600/0002"], [])

    assert not still.met
    assert still.remaining == (
        "2 of the mandatory units in 'Mandatory' not yet achieved",
        "1 more unit and 4 more credits from 'Optional'",
        "3 more credits from units at level 3 or above",
        "12 more credits in all, of the 12 needed",
    )
    assert [group.taken for group in still.groups] == [("A/600/0001", "A/600/0002"), ("B/600/0002",)]


def test_achieving_the_units_chosen_meets_the_rules():
    met = standing(["B/600/0002"], ["A/600/0001", "A/600/0002", "B/600/0002"])

    assert met.met and met.remaining == ()
    assert met.credits_achieved == 12
    assert [group.credits_achieved for group in met.groups] == [7, 5]


def test_a_unit_achieved_but_not_taken_on_the_qualification_does_not_count():
    assert standing([], ["A/600/0001", "A/600/0002", "B/600/0002"]).remaining[0] == (
        "1 more unit and 4 more credits from 'Optional'"
    )


@pytest.fixture
def registered(db, seed_unit_bytes, centre_a):
    seed = parse_unit_file(seed_unit_bytes)
    for urn, credits in CREDITS.items():
        import_unit(
            spec=dataclasses.replace(
                seed, urn=urn, title=f"Unit {urn}", credit_value=credits, level=LEVELS[urn]
            )
        )
    import_qualification(spec=qualification_from_data(RULES))
    set_offered_qualifications(centre=centre_a, numbers=["601/1234/5"])
    with centre_scope(centre_a):
        user = MembershipFactory(centre=centre_a, role="learner").user
        learner = LearnerFactory(centre=centre_a, user=user, email=user.email)
        registration = Registration.objects.create(
            centre=centre_a, learner=learner, qualification_id=_qualification_id()
        )
        registration.chosen_units.add(UnitPage.objects.get(urn="B/600/0002"))
        for urn in ("A/600/0001", "A/600/0002", "B/600/0002"):
            Enrolment.objects.create(
                centre=centre_a,
                learner=learner,
                unit=UnitPage.objects.get(urn=urn),
                start_date=timezone.localdate(),
            )
    return learner


def _qualification_id():
    from units.models import QualificationPage

    return QualificationPage.objects.get().pk


def signed_off(learner, urn):
    with centre_scope(learner.centre):
        UnitSignOff.objects.create(
            centre=learner.centre,
            enrolment=Enrolment.objects.get(learner=learner, unit__urn=urn),
            assessor_name="Tom Hughes",
            assessor_declaration="I confirm.",
            signed_at=timezone.now(),
            recording_sheet={},
        )


def test_the_portfolio_shows_where_the_learner_stands_on_their_qualification(registered, client):
    signed_off(registered, "A/600/0001")
    client.force_login(registered.user)

    page = client.get("/portfolio/").content.decode()

    assert "Level 2 Certificate in Workplace Skills" in page
    assert "4 credits achieved of the 12 needed" in page
    assert "1 of the mandatory units in &#x27;Mandatory&#x27; not yet achieved" in page
    assert "8 more credits in all, of the 12 needed" in page

    for urn in ("A/600/0002", "B/600/0002"):
        signed_off(registered, urn)
    page = client.get("/portfolio/").content.decode()
    assert "meet the qualification’s rules of combination" in page
