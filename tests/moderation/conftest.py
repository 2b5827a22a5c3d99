"""Fixtures of the moderation tests: a signed-off cohort of centre A, a sample of it and a
moderator let in to it."""

import pytest

from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope
from moderation.services import create_moderation_sample, grant_moderator_access
from tests.factories.moderation import encrypted_pdf, png, two_page_pdf, upload
from tests.helpers import (
    meet_everything,  # noqa: F401 (tests/test_isolation.py still imports it from here)
    member,
    signed_off_learner,
)


@pytest.fixture
def cohort(centre_a, seed_unit):
    """Three signed-off learners of centre A: 0001 with a photo, a two-page PDF and an
    encrypted PDF; 0002 and 0003 with text only."""
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with centre_scope(centre_a):
        assessor = member(centre_a, Role.ASSESSOR, user__first_name="Tom", user__last_name="Hughes")
        first = signed_off_learner(
            centre=centre_a,
            unit=seed_unit,
            assessor=assessor,
            candidate_number="0001",
            files=[
                upload("event.png", png(), "image/png"),
                upload("plan.pdf", two_page_pdf(), "application/pdf"),
                upload("locked.pdf", encrypted_pdf(), "application/pdf"),
            ],
            body='**Networking** <img src="file:///etc/passwd"> <object data="http://example.com/x"></object>',
        )
        others = [
            signed_off_learner(centre=centre_a, unit=seed_unit, assessor=assessor, candidate_number=number)
            for number in ["0002", "0003"]
        ]
    return [first, *others]


@pytest.fixture
def admin(centre_a):
    return member(centre_a, Role.CENTRE_ADMIN)


@pytest.fixture
def sample(cohort, admin, centre_a, seed_unit):
    with centre_scope(centre_a):
        return create_moderation_sample(
            centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[cohort[0].pk, cohort[1].pk]
        )


@pytest.fixture
def moderator_client(client, sample, admin, centre_a, django_capture_on_commit_callbacks):
    with centre_scope(centre_a), django_capture_on_commit_callbacks(execute=True):
        access = grant_moderator_access(
            sample=sample, actor=admin, email="morag@ocr.example", first_name="Morag"
        )
    client.force_login(access.moderator)
    client.access = access
    return client
