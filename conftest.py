"""Fixtures shared by the pytest suite (tests/) and the browser journeys (e2e/)."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from tests.factories import CentreFactory, UserFactory
from units.parsing import parse_unit_file
from units.services import import_unit

SEED_UNIT_PATH = Path(__file__).resolve().parent / "units" / "data" / "ocr-unit-35-R-600-9587.txt"


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgresql_only`` check PostgreSQL's own safeguards, and those marked
    ``sqlite_only`` the embedded SQLite default's; on the other database they are
    deselected (they have nothing to check there), not skipped."""
    from django.db import connection

    other = "sqlite_only" if connection.vendor == "postgresql" else "postgresql_only"
    kept = [item for item in items if item.get_closest_marker(other) is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: a browser journey that cannot find Chromium,
    or anything else that quietly did not run, must not pass as green."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(f"{len(skipped)} tests were skipped; in CI that is a failure.", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session", autouse=True)
def evidence_storage_emptied():
    """Evidence files the tests store go to a folder of their own, emptied before and after."""
    import shutil

    from django.conf import settings

    shutil.rmtree(settings.EVIDENCE_ROOT, ignore_errors=True)
    yield
    shutil.rmtree(settings.EVIDENCE_ROOT, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """The test database, and the data its migrations wrote (serialized).

    Django keeps that data on the connection object, to restore after each transactional
    test has flushed the database; the browser journeys need it on connection objects
    made later (see e2e/conftest.py).
    """
    from django.db import connections

    return getattr(connections["default"], "_test_serialized_contents", None)


@pytest.fixture
def seed_unit_bytes() -> bytes:
    return SEED_UNIT_PATH.read_bytes()


@pytest.fixture
def seed_unit(db, seed_unit_bytes):
    from units.selectors import unit_by_urn

    import_unit(spec=parse_unit_file(seed_unit_bytes))
    return unit_by_urn(urn="R/600/9587")


@pytest.fixture
def other_unit(db, seed_unit_bytes):
    """A second unit in the catalogue, on which the learner is not enrolled."""
    from units.parsing import parse_unit_file
    from units.selectors import unit_by_urn
    from units.services import import_unit

    spec = seed_unit_bytes.replace(b"R/600/9587", b"T/600/0001").replace(
        b"personal networks", b"team meetings"
    )
    import_unit(spec=parse_unit_file(spec))
    return unit_by_urn(urn="T/600/0001")


@pytest.fixture
def centre_a(db):
    return CentreFactory(number="10001", name="Northgate College")


@pytest.fixture
def centre_b(db):
    return CentreFactory(number="20002", name="Southfield Training")


@pytest.fixture
def catalogue_editor(db):
    """Platform staff who maintain the shared catalogue in the Wagtail admin."""
    user = UserFactory(email="editor@example.org")
    user.groups.add(Group.objects.get(name="Catalogue editors"))
    return user
