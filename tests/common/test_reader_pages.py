"""Pages kept for their readers (common.reader_pages): the portfolio, the caseload and the
moderator's sample are given again from the cache until something they may show is
written, by a service, a bulk update or anyone else; each person is given only their
own; a kept page's form token is the session's own; what is written only as people read
(sessions, "viewed" records, a sign-in) keeps pages kept."""

import datetime
import logging
import re
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection, transaction
from django.shortcuts import render
from django.test import Client, RequestFactory
from django.urls import reverse

import common.reader_pages
from audit.models import AuditRecord
from centre.models import Centre, Role
from common.reader_pages import ALL, _NewGeneration, generation_key, render_for_reader
from common.scoping import centre_scope
from learners.models import Learner
from moderation.services import create_moderation_sample, grant_moderator_access
from tests.helpers import enrol, member, signed_off_learner

PORTFOLIO = reverse("assessment:learner_home")
CASELOAD = reverse("assessment:caseload")


pytestmark = pytest.mark.usefixtures("pages_kept_as_with_cache_url")


@pytest.fixture
def renders(monkeypatch):
    """The templates rendered by ``render_for_reader``, in order: a page given as it was
    kept adds none."""
    rendered = []

    def counted(request, template_name, context=None, *args, **kwargs):
        rendered.append(template_name)
        return render(request, template_name, context, *args, **kwargs)

    monkeypatch.setattr(common.reader_pages, "render", counted)
    return rendered


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what is done inside it as a transaction of its own, committed at its end (the
    test's own transaction never is): what the fixtures wrote before it counts as
    committed already, so its new generations are not waiting on the test's."""

    @contextmanager
    def transaction_committed():
        connection.run_on_commit = [
            pending for pending in connection.run_on_commit if not isinstance(pending[1], _NewGeneration)
        ]
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return transaction_committed


def test_a_page_is_given_again_until_something_it_shows_is_written(
    learner_client, learner, centre_a, renders, committed
):
    first = learner_client.get(PORTFOLIO)
    again = learner_client.get(PORTFOLIO)
    assert renders == ["assessment/learner_home.html"]
    assert again.status_code == 200
    assert _without_tokens(again.content) == _without_tokens(first.content)
    # Written behind every service's back, in bulk: shown all the same.
    with committed(), centre_scope(centre_a):
        Learner.objects.filter(pk=learner.pk).update(first_name="Augusta")
    assert "Augusta Lovelace" in learner_client.get(PORTFOLIO).content.decode()
    assert len(renders) == 2


def test_a_change_is_shown_once_committed_and_never_for_a_transaction_rolled_back(
    learner_client, learner, centre_a, renders, committed
):
    learner_client.get(PORTFOLIO)
    with pytest.raises(RuntimeError), committed(), transaction.atomic(), centre_scope(centre_a):
        Learner.objects.filter(pk=learner.pk).update(first_name="Never")
        raise RuntimeError("the change fails")
    assert "Never Lovelace" not in learner_client.get(PORTFOLIO).content.decode()
    assert len(renders) == 1
    with committed(), transaction.atomic(), centre_scope(centre_a):
        Learner.objects.filter(pk=learner.pk).update(first_name="Saved")
        # Not yet committed: the generation the kept page names is still current.
        assert cache.get(generation_key(centre_a.pk)) is not None
        before = cache.get(generation_key(centre_a.pk))
    assert cache.get(generation_key(centre_a.pk)) != before
    assert "Saved Lovelace" in learner_client.get(PORTFOLIO).content.decode()


def test_another_centres_change_keeps_the_page_and_a_shared_change_renders_every_centres(
    learner_client, learner, centre_a, centre_b, renders, committed
):
    learner_client.get(PORTFOLIO)
    with committed(), centre_scope(centre_b):
        Centre.objects.filter(pk=centre_b.pk).update(name="The other college")
    learner_client.get(PORTFOLIO)
    assert len(renders) == 1
    # A person's details are not one centre's: written, every centre's pages are rendered.
    with committed(), centre_scope(centre_b):
        get_user_model().objects.filter(pk=learner.user.pk).update(email="ada.l@example.org")
    assert "ada.l@example.org" in learner_client.get(PORTFOLIO).content.decode()
    assert cache.get(generation_key(ALL)) is not None


def test_each_reader_is_given_their_own_page(centre_a, seed_unit, enrolment, renders):
    other = enrol(centre_a, seed_unit, first_name="Grace", last_name="Hopper")
    readers = {}
    for assessor in (enrolment.assessor, other.assessor):
        client = Client()
        client.force_login(assessor)
        readers[assessor] = client.get(CASELOAD).content.decode()
    assert "Lovelace" in readers[enrolment.assessor] and "Hopper" not in readers[enrolment.assessor]
    assert "Hopper" in readers[other.assessor] and "Lovelace" not in readers[other.assessor]
    # Another address is another page: the caseload filtered is kept apart from it.
    client = Client()
    client.force_login(enrolment.assessor)
    client.get(f"{CASELOAD}?state=waiting")
    assert len(renders) == 3


def test_a_kept_pages_form_token_is_the_readers_own_session_s(learner, renders):
    """Kept for one session, given to another of the same person: with that one's token."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for client in (first, second):
        client.force_login(learner.user)
    first.get(PORTFOLIO)
    kept = second.get(PORTFOLIO).content.decode()
    assert len(renders) == 1
    (token,) = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', kept))
    assert len(token) == 64  # a masked token, not the placeholder it was kept with
    assert second.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302


def test_a_page_with_a_message_to_show_is_rendered_and_not_kept(learner_client, renders):
    learner_client.get(PORTFOLIO)
    waiting = CookieStorage(RequestFactory().get(PORTFOLIO))
    learner_client.cookies["messages"] = waiting._encode(
        [Message(constants.SUCCESS, "Your evidence was saved.")]
    )
    assert "Your evidence was saved." in learner_client.get(PORTFOLIO).content.decode()
    assert "Your evidence was saved." not in learner_client.get(PORTFOLIO).content.decode()
    assert renders == ["assessment/learner_home.html"] * 2


def test_signing_in_again_keeps_pages_kept(learner, renders, committed):
    client = Client()
    client.force_login(learner.user)
    client.get(PORTFOLIO)
    # Django records the time of the sign-in, and the session: no page shows either.
    with committed():
        again = Client()
        again.force_login(learner.user)
    again.get(PORTFOLIO)
    assert len(renders) == 1


def test_the_moderators_sample_is_kept_with_each_view_recorded(
    moderator_client, sample, centre_a, renders, committed
):
    address = reverse("moderation:sample", kwargs={"sample_id": sample.pk})
    for _ in range(2):
        with committed():
            assert moderator_client.get(address).status_code == 200
    assert len(renders) == 1
    with centre_scope(centre_a):
        assert AuditRecord.objects.filter(verb="moderation.sample_viewed").count() == 2


def test_a_page_reading_what_is_written_unwatched_is_not_kept(rf, learner, centre_a, caplog):
    request = rf.get(PORTFOLIO)
    request.user, request.centre, request.session = learner.user, centre_a, {}

    def context():
        return {"records": list(AuditRecord.objects.all())}

    with centre_scope(centre_a), caplog.at_level(logging.WARNING, logger="common.reader_pages"):
        for _ in range(2):
            render_for_reader(request, "base.html", context)
    assert "audit_auditrecord" in caplog.text
    assert not [key for key in cache._cache if "reader-pages:page:" in key]


def test_with_the_cache_unreachable_the_page_is_rendered(learner_client, monkeypatch, renders):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "get_many", unreachable)
    for _ in range(2):
        assert learner_client.get(PORTFOLIO).status_code == 200
    assert len(renders) == 2


def test_without_a_shared_cache_nothing_is_kept(learner_client, settings, renders):
    settings.WAYMARK_READER_PAGES = False
    for _ in range(2):
        learner_client.get(PORTFOLIO)
    assert not [key for key in cache._cache if "reader-pages:page:" in key]


def test_the_access_that_admits_the_reader_is_checked_on_every_request(
    moderator_client, moderator_access, sample, renders, time_machine
):
    """A moderator's access ends with time, with nothing written: their kept page is not
    given after it."""
    address = reverse("moderation:sample", kwargs={"sample_id": sample.pk})
    assert moderator_client.get(address).status_code == 200
    time_machine.move_to(moderator_access.expires_at + datetime.timedelta(seconds=1))
    assert moderator_client.get(address).status_code == 302
    assert len(renders) == 1


def test_an_address_with_a_query_the_page_does_not_read_is_rendered_and_not_kept(enrolment, renders):
    client = Client()
    client.force_login(enrolment.assessor)
    for _ in range(2):
        client.get(f"{CASELOAD}?state=waiting&page=1")
    for _ in range(2):
        client.get(f"{CASELOAD}?utm_source=newsletter")
    assert len(renders) == 3


@pytest.mark.parametrize(
    ("sql", "generation"),
    [
        ('UPDATE "learners_learner" SET "first_name" = %s WHERE "learners_learner"."id" = %s', "centre"),
        ('INSERT INTO "learners_learner" ("centre_id") VALUES (%s) RETURNING "id"', "centre"),
        # SQLite's, for a many-to-many table of a centre's model (evidence files of a version).
        ('INSERT OR IGNORE INTO "portfolio_evidenceversion_files" ("a", "b") VALUES (%s, %s)', "centre"),
        ('DELETE FROM "learners_learner" WHERE "learners_learner"."id" IN (%s)', "centre"),
        ('UPDATE "wagtailcore_page" SET "title" = %s WHERE "wagtailcore_page"."id" = %s', ALL),
        ('UPDATE "accounts_user" SET "email" = %s WHERE "accounts_user"."id" = %s', ALL),
        ('TRUNCATE "learners_learner", "centre_centre";', ALL),
        ("ALTER TABLE learners_learner ADD COLUMN nickname text", ALL),
        ('WITH gone AS (DELETE FROM "learners_learner" RETURNING 1) SELECT 1', ALL),
        ('UPDATE "accounts_user" SET "last_login" = %s WHERE "accounts_user"."id" = %s', None),
        ('INSERT INTO "audit_auditrecord" ("verb") VALUES (%s)', None),
        ('DELETE FROM "django_session" WHERE "django_session"."session_key" = %s', None),
    ],
)
def test_the_generation_each_write_changes(centre_a, sql, generation):
    with centre_scope(centre_a):
        changed = common.reader_pages.changed_generation(sql)
    expected = {None: None, ALL: generation_key(ALL), "centre": generation_key(centre_a.pk)}[generation]
    assert changed == expected


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_made_outside_a_transaction_is_shown_at_once(learner, centre_a, renders):
    client = Client()
    client.force_login(learner.user)
    client.get(PORTFOLIO)
    with centre_scope(centre_a):
        Learner.objects.filter(pk=learner.pk).update(first_name="Augusta")
        # A statement that changes no row changes nothing.
        Learner.objects.filter(pk=-1).update(first_name="Nobody")
    assert "Augusta Lovelace" in client.get(PORTFOLIO).content.decode()
    client.get(PORTFOLIO)
    assert len(renders) == 2


def _without_tokens(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


@pytest.fixture
def sample(centre_a, seed_unit):
    with centre_scope(centre_a):
        assessor = member(centre_a, Role.ASSESSOR)
        sampled = signed_off_learner(
            centre=centre_a, unit=seed_unit, assessor=assessor, candidate_number="0001"
        )
        return create_moderation_sample(
            centre=centre_a,
            unit=seed_unit,
            actor=member(centre_a, Role.CENTRE_ADMIN),
            enrolment_ids=[sampled.pk],
        )


@pytest.fixture
def moderator_access(sample, centre_a):
    with centre_scope(centre_a):
        return grant_moderator_access(
            sample=sample, actor=member(centre_a, Role.CENTRE_ADMIN), email="morag@ocr.example"
        )


@pytest.fixture
def moderator_client(client, moderator_access):
    client.force_login(moderator_access.moderator)
    return client
