"""Fixtures of the networking tests: a learner on a unit with networking records, signed in,
and a submitted register."""

import pytest

from common.scoping import centre_scope
from tests.factories.networking import contact, enable_networking, submitted_record


@pytest.fixture
def networking(enrolment):
    enable_networking(enrolment.unit)
    return enrolment


@pytest.fixture
def learner_client(client, networking):
    client.force_login(networking.learner.user)
    return client


@pytest.fixture
def register_version(networking, learner, centre_a):
    """A submitted register of two contacts: Priya consented, Dan did not. The learner's
    commentary names Dan too."""
    with centre_scope(centre_a):
        contact(learner, "Priya Shah")
        contact(
            learner,
            "Dan Whitfield",
            consented=False,
            email="dan.whitfield@example.org",
            phone="07912 345678",
            sector="public",
            how_met="Dan Whitfield spoke at the council jobs fair.",
        )
        return submitted_record(
            networking,
            {"record": "register"},
            codes=("1.2", "2.1"),
            body="Dan Whitfield (dan.whitfield@example.org) opened doors for me.",
        )
