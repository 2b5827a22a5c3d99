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
from tests.helpers import sampling_plan, signed_off_learner

N = 4


def read(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_queries_do_not_grow(ask: Callable, grow: Callable, django_assert_max_num_queries, *, lists=True):
    """``ask`` (a page or a download) with what there is, then after ``grow`` has
    added twice as much again: no more queries the second time (and, for a page that
    ``lists`` what grew, a longer answer). Each is measured on a warm session: what the
    session keeps, read again once ``grow`` has changed it (a moderator given a new
    sample, say), is filled first."""
    read(ask())  # sessions, content types and other caches filled
    with CaptureQueriesContext(connection) as few:
        first = read(ask())
    allowed = len(few.captured_queries)
    grow()
    read(ask())
    with django_assert_max_num_queries(allowed):
        second = read(ask())
    assert not lists or len(second) > len(first), "the second answer should list more"


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


def test_the_centre_s_people(client, centre_a, cohort, django_assert_max_num_queries):
    people, _, _ = cohort

    def grow():
        with scopes_disabled():
            for n in range(2 * N):
                MembershipFactory(centre=centre_a, role=Role.ASSESSOR if n % 2 else Role.IQA)

    client.force_login(people[Role.CENTRE_ADMIN])
    assert_queries_do_not_grow(lambda: client.get("/centre/staff/"), grow, django_assert_max_num_queries)


@pytest.mark.parametrize("role", [Role.CENTRE_ADMIN, Role.IQA])
def test_the_audit_trail(client, centre_a, cohort, role, django_assert_max_num_queries):
    """Each allocation is audited with its learner and unit, which the trail names."""
    from learners.services import allocate_assessor

    people, grow, made = cohort
    with scopes_disabled():
        other = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user

    def allocate(enrolments):
        with centre_scope(centre_a):
            for enrolment in enrolments:
                allocate_assessor(enrolment=enrolment, assessor=other)

    allocate(list(made))

    def more():
        before = len(made)
        grow(2 * N)
        allocate(made[before:])

    client.force_login(people[role])
    assert_queries_do_not_grow(lambda: client.get("/audit/"), more, django_assert_max_num_queries)


@pytest.fixture
def learner_world(centre_a, seed_unit):
    """A learner of centre A enrolled on the seed unit (networking records on);
    ``grow(n)`` adds n evidence items, n contacts and n reviews."""
    from tests.factories import EnrolmentFactory

    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    enable_networking(seed_unit)
    with scopes_disabled():
        people = {role: MembershipFactory(centre=centre_a, role=role).user for role in Role.values}
        learner = LearnerFactory(centre=centre_a, user=people[Role.LEARNER])
        EnrolmentFactory(learner=learner, unit=seed_unit)

    def grow(n):
        with centre_scope(centre_a):
            for k in range(n):
                EvidenceItemFactory(learner=learner)
                added = contact(
                    learner, f"Contact {learner.network_contacts.count()} Person", organisation=f"Firm {k}"
                )
                from datetime import date, timedelta

                review(
                    learner,
                    [{"contact": added, "value": "high", "effort": "low", "decision": "keep"}],
                    reviewed_on=date(2026, 1, 1) + timedelta(days=learner.network_reviews.count()),
                )

    grow(N)
    return people, learner, grow


@pytest.mark.parametrize(
    "path",
    [
        "/portfolio/",
        "/portfolio/evidence/",
        "/portfolio/network/",
        "/portfolio/network/reviews/",
        "/portfolio/network/contacts/export/",
    ],
)
def test_the_learner_s_lists(client, learner_world, path, django_assert_max_num_queries):
    people, _, grow = learner_world
    client.force_login(people[Role.LEARNER])
    assert_queries_do_not_grow(
        lambda: client.get(path),
        lambda: grow(2 * N),
        django_assert_max_num_queries,
        lists=path != "/portfolio/",  # the learner's units, which do not grow
    )


def test_the_learner_s_subject_access_export(client, learner_world, django_assert_max_num_queries):
    people, _, grow = learner_world
    client.force_login(people[Role.LEARNER])
    assert_queries_do_not_grow(
        lambda: client.post("/portfolio/subject-access/"), lambda: grow(2 * N), django_assert_max_num_queries
    )


def test_the_admin_s_page_of_a_learner_s_records(client, learner_world, django_assert_max_num_queries):
    people, learner, grow = learner_world
    client.force_login(people[Role.CENTRE_ADMIN])
    path = f"/learners/{learner.pk}/records/"
    assert_queries_do_not_grow(
        lambda: client.get(path), lambda: grow(2 * N), django_assert_max_num_queries, lists=False
    )


def test_the_admin_s_subject_access_export(client, learner_world, django_assert_max_num_queries):
    people, learner, grow = learner_world
    client.force_login(people[Role.CENTRE_ADMIN])
    path = f"/learners/{learner.pk}/subject-access/"
    assert_queries_do_not_grow(lambda: client.post(path), lambda: grow(2 * N), django_assert_max_num_queries)


@pytest.fixture
def sampled(centre_a, seed_unit, cohort):
    """The cohort's learners sampled by the IQA at the interim stage as they are made."""
    from iqa.services import start_samples

    people, grow, made = cohort
    iqa = people[Role.IQA]
    with centre_scope(centre_a):
        plan = sampling_plan(seed_unit, centre=centre_a, iqa=iqa)

    def sample(enrolments):
        with centre_scope(centre_a):
            start_samples(plan=plan, iqa=iqa, picks=[(e.pk, "interim") for e in enrolments])

    sample(made)

    def more():
        before = len(made)
        grow(2 * N)
        sample(made[before:])

    return people, more


@pytest.mark.parametrize("path", ["/iqa/", "/iqa/units/{unit}/plan/"])
def test_the_iqa_s_lists(client, sampled, seed_unit, path, django_assert_max_num_queries):
    people, more = sampled
    client.force_login(people[Role.IQA])
    path = path.format(unit=seed_unit.pk)
    assert_queries_do_not_grow(lambda: client.get(path), more, django_assert_max_num_queries)


@pytest.fixture
def moderated(centre_a, seed_unit):
    """A moderation sample of two signed-off learners with a moderator's access;
    ``more()`` makes a new sample of six, which ``current`` then names. (Signed-off
    learners with their files are slow to make: fewer than the other lists.)"""
    from moderation.services import create_moderation_sample, grant_moderator_access

    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with scopes_disabled():
        admin = MembershipFactory(centre=centre_a, role=Role.CENTRE_ADMIN).user
        assessor = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user
    enrolments, current = [], {}

    def sample_of(n):
        with centre_scope(centre_a):
            enrolments.extend(
                signed_off_learner(
                    centre=centre_a,
                    unit=seed_unit,
                    assessor=assessor,
                    candidate_number=f"{len(enrolments) + 1:04d}",
                )
                for _ in range(n - len(enrolments))
            )
            sample = create_moderation_sample(
                centre=centre_a, unit=seed_unit, actor=admin, enrolment_ids=[e.pk for e in enrolments]
            )
            access = grant_moderator_access(sample=sample, actor=admin, email="moderator@ocr.example")
        current.update(sample=sample, moderator=access.moderator)

    sample_of(2)
    return admin, current, lambda: sample_of(6)


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("admin", "/moderation/manage/"),
        ("admin", "/moderation/manage/samples/{sample}/"),
        ("moderator", "/moderation/"),
        ("moderator", "/moderation/samples/{sample}/"),
    ],
)
def test_moderation_lists(client, moderated, who, path, django_assert_max_num_queries):
    admin, current, more = moderated

    def ask():
        client.force_login(admin if who == "admin" else current["moderator"])
        return client.get(path.format(sample=current["sample"].pk))

    assert_queries_do_not_grow(ask, more, django_assert_max_num_queries)


def test_the_bundle_render(centre_a, moderated, django_assert_max_num_queries):
    """The whole job, from the sample to its PDF, parts and archive, for two candidates
    and then six."""
    from moderation.bundle import request_bundle, run_bundle_render

    _, current, more = moderated

    def render():
        with centre_scope(centre_a):
            bundle = request_bundle(sample=current["sample"], actor=current["moderator"])
            return bundle.pk

    first = render()
    with CaptureQueriesContext(connection) as few, centre_scope(centre_a):
        run_bundle_render(render_id=first)
    more()
    second = render()
    with django_assert_max_num_queries(len(few.captured_queries)), centre_scope(centre_a):
        done = run_bundle_render(render_id=second)
    assert done.status == "done", done.error


@pytest.mark.parametrize(("role", "path"), [(Role.CENTRE_ADMIN, "/centre/units/"), (None, "/")])
def test_the_unit_catalogue(client, cohort, role, path, django_assert_max_num_queries):
    """The units a centre may offer, and the public catalogue, as the catalogue grows."""
    from tests.factories.cohort import wide_unit

    people, _, _ = cohort
    made = [wide_unit(urn=f"Y/600/{n:04d}", outcomes=1, criteria_each=2) for n in range(N)]

    def grow():
        made.extend(wide_unit(urn=f"Y/600/{n:04d}", outcomes=1, criteria_each=2) for n in range(N, 3 * N))

    if role:
        client.force_login(people[role])
    assert_queries_do_not_grow(lambda: client.get(path), grow, django_assert_max_num_queries)


def test_the_assessor_s_page_of_a_learner(client, centre_a, learner_world, django_assert_max_num_queries):
    """Every submitted item of the learner, with its files and criteria."""
    from learners.services import allocate_assessor
    from tests.factories import submitted_evidence

    people, learner, _ = learner_world
    with centre_scope(centre_a):
        enrolment = learner.enrolments.get()
        allocate_assessor(enrolment=enrolment, assessor=people[Role.ASSESSOR])
        enrolment.refresh_from_db()

    def grow(n):
        with centre_scope(centre_a):
            for k in range(n):
                submitted_evidence(enrolment, title=f"Account {k}", codes=("1.1", "1.2"))

    grow(N)
    client.force_login(people[Role.ASSESSOR])
    path = f"/assessment/enrolments/{enrolment.pk}/"
    assert_queries_do_not_grow(lambda: client.get(path), lambda: grow(2 * N), django_assert_max_num_queries)


def test_the_public_unit_page(db, client, django_assert_max_num_queries):
    """A unit's page in the public catalogue, as a unit of more criteria."""
    from django.core.cache import cache

    from tests.factories.cohort import wide_unit
    from units.models import UnitPage
    from units.rendering import body_cache_key

    small = wide_unit(urn="Y/600/0001", outcomes=1, criteria_each=2)
    large = wide_unit(urn="Y/600/0002", outcomes=4, criteria_each=6)
    read(client.get(small.url))
    # Each body rendered afresh, not taken from the cache (units.rendering): that is where
    # the criteria are read.
    for unit in UnitPage.objects.filter(pk__in=[small.pk, large.pk]):
        if (key := body_cache_key(unit)) is not None:
            cache.delete(key)
    with CaptureQueriesContext(connection) as few:
        first = read(client.get(small.url))
    with django_assert_max_num_queries(len(few.captured_queries)):
        second = read(client.get(large.url))
    assert len(second) > len(first)


@pytest.fixture
def through_the_middleware(rf, settings):
    """``ask(user, verified=..., chosen=centre)``: a request as a signed-in person's session
    brings it (their second factor used this session or not, a centre chosen or not),
    through Waymark's own middleware (the centre and the roles there, the second factor,
    a moderator's access) to a page that reads nothing: what that asks of the database
    on every request."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    from accounts.middleware import TwoFactorMiddleware
    from centre.middleware import CentreScopeMiddleware
    from centre.selectors import CURRENT_CENTRE_SESSION_KEY
    from moderation.middleware import ModeratorAccessMiddleware

    settings.WAYMARK_REQUIRE_TWO_FACTOR = True
    chain = CentreScopeMiddleware(
        TwoFactorMiddleware(ModeratorAccessMiddleware(lambda request: HttpResponse()))
    )

    def ask(user, *, verified: bool, chosen=None, session=None):
        request = rf.get("/somewhere/")
        request.session, request.user = SessionStore() if session is None else session, user
        request.session.pop(CURRENT_CENTRE_SESSION_KEY, None)
        if chosen is not None:
            request.session[CURRENT_CENTRE_SESSION_KEY] = chosen.pk
        user.is_verified = lambda: verified  # as django_otp's middleware leaves it
        response = chain(request)
        return request, response

    return ask


def test_the_middleware_asks_staff_one_query_then_none_on_a_warm_session(
    centre_a, centre_b, through_the_middleware, django_assert_num_queries
):
    """The centre and the roles there in one query at the first request of a session, for
    someone with roles in two centres, and none after (the session keeps them), chosen or
    not."""
    from django.contrib.sessions.backends.db import SessionStore

    with scopes_disabled():
        person = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user
        MembershipFactory(centre=centre_a, role=Role.IQA, user=person)
        MembershipFactory(centre=centre_b, role=Role.CENTRE_ADMIN, user=person)
    session = SessionStore()
    with django_assert_num_queries(1):
        request, response = through_the_middleware(person, verified=True, chosen=centre_a, session=session)
    assert response.status_code == 200
    assert (request.centre, request._centre_roles) == (centre_a, {Role.ASSESSOR, Role.IQA})
    with django_assert_num_queries(0):
        request, _ = through_the_middleware(person, verified=True, chosen=centre_a, session=session)
    assert (request.centre, request._centre_roles) == (centre_a, {Role.ASSESSOR, Role.IQA})
    assert request.centre.name == centre_a.name
    with django_assert_num_queries(0):
        request, _ = through_the_middleware(person, verified=True, chosen=centre_b, session=session)
    assert (request.centre, request._centre_roles) == (centre_b, {Role.CENTRE_ADMIN})
    with django_assert_num_queries(0):
        request, _ = through_the_middleware(person, verified=True, session=session)
    assert (request.centre, request._centre_roles) == (None, set())  # to choose


def test_the_middleware_asks_a_learner_nothing_on_a_warm_session_and_a_moderator_one_query(
    centre_a, through_the_middleware, django_assert_num_queries, moderated
):
    """A learner, who has not used a second factor: whether they must or have one set up,
    in one query more at the first request of their session; none at all after (the
    session keeps the answers). A moderator: whether their access is live, in one query
    more on every request."""
    from django.contrib.sessions.backends.db import SessionStore

    _, current, _ = moderated
    with scopes_disabled():
        learner = MembershipFactory(centre=centre_a, role=Role.LEARNER).user
    session = SessionStore()
    with django_assert_num_queries(2):
        request, response = through_the_middleware(learner, verified=False, session=session)
    assert response.status_code == 200
    assert (request.centre, request._centre_roles) == (centre_a, {Role.LEARNER})
    with django_assert_num_queries(0):
        request, response = through_the_middleware(learner, verified=False, session=session)
    assert response.status_code == 200
    assert (request.centre, request._centre_roles) == (centre_a, {Role.LEARNER})
    moderator, kept = current["moderator"], SessionStore()
    with django_assert_num_queries(2):
        request, response = through_the_middleware(moderator, verified=True, session=kept)
    assert response.status_code == 200
    assert request._centre_roles == {Role.MODERATOR}
    with django_assert_num_queries(1):
        request, response = through_the_middleware(moderator, verified=True, session=kept)
    assert response.status_code == 200
