"""Every list page and every export answers in a number of queries that does not grow
with what it lists: each is asked for with N rows, then with 3N, and must not take more
queries the second time (``django_assert_max_num_queries``)."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope, scopes_disabled
from tests.factories import EvidenceItemFactory, LearnerFactory, MembershipFactory
from tests.factories.cohort import build_cohort
from tests.factories.networking import contact, enable_networking, review

N = 4


def read(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_queries_do_not_grow(ask: Callable, grow: Callable, django_assert_max_num_queries):
    """``ask`` (a page or a download) with what there is, then after ``grow`` has
    added twice as much again: no more queries the second time."""
    read(ask())  # sessions, content types and other caches filled
    with CaptureQueriesContext(connection) as few:
        first = read(ask())
    grow()
    with django_assert_max_num_queries(len(few.captured_queries)):
        second = read(ask())
    assert len(second) > len(first), "the second answer should list more"


@pytest.fixture
def cohort(centre_a, seed_unit):
    """Centre A offering the seed unit, an admin, an IQA and an assessor; ``grow(n)``
    enrols n more learners allocated to the assessor, each with a submitted item
    mapped to every criterion, and a decision on each."""
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with scopes_disabled():
        people = {role: MembershipFactory(centre=centre_a, role=role).user for role in Role.values}
    made = []

    def grow(n):
        with centre_scope(centre_a):
            made.extend(
                build_cohort(
                    centre=centre_a,
                    unit=seed_unit,
                    learners=n,
                    assessors=[people[Role.ASSESSOR]],
                    start=len(made),
                )
            )

    grow(N)
    return people, grow, made


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.CENTRE_ADMIN, "/learners/"),
        (Role.CENTRE_ADMIN, "/learners/export/?format=csv"),
        (Role.CENTRE_ADMIN, "/learners/export/?format=xlsx"),
        (Role.ASSESSOR, "/learners/allocated/"),
        (Role.ASSESSOR, "/assessment/"),
    ],
)
def test_lists_of_learners(client, cohort, role, path, django_assert_max_num_queries):
    people, grow, _ = cohort
    client.force_login(people[role])
    assert_queries_do_not_grow(lambda: client.get(path), lambda: grow(2 * N), django_assert_max_num_queries)


@pytest.mark.parametrize("role", [Role.CENTRE_ADMIN, Role.ASSESSOR, Role.IQA])
def test_the_unit_grid(client, cohort, seed_unit, role, django_assert_max_num_queries):
    people, grow, _ = cohort
    client.force_login(people[role])
    path = f"/assessment/units/{seed_unit.pk}/"
    assert_queries_do_not_grow(lambda: client.get(path), lambda: grow(2 * N), django_assert_max_num_queries)
