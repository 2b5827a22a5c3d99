"""Fixtures of the pytest suite (tests/) that its folders share; those the browser journeys
share too are in the repository's conftest.py, helpers in tests/helpers.py."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from common.scoping import centre_scope
from tests.helpers import enrol

# The day the tests whose dates matter run on: a Tuesday at noon in London, far from
# midnight and from the clocks changing.
TODAY = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def frozen_clock():
    """The clock set to ``TODAY`` (and ticking on from there): for a test that compares a
    date the code writes with one it works out itself ("reopened on 1 December 2026"),
    or posts a date that must stay in the future, so that it passes on any day and at
    midnight too. Ask for it first (``pytest.mark.usefixtures("frozen_clock")``), so
    that the test's data is made on that day as well."""
    with time_machine.travel(TODAY, tick=True):
        yield TODAY


@pytest.fixture
def enrolment(centre_a, seed_unit):
    """Ada Lovelace, a learner of centre A who signs in, on the seed unit, allocated to
    Tom Hughes, an assessor of the centre."""
    return enrol(centre_a, seed_unit, first_name="Ada", last_name="Lovelace")


@pytest.fixture
def learner(enrolment):
    return enrolment.learner


@pytest.fixture
def learner_client(client, learner):
    """The test client, signed in as Ada Lovelace (``learner``)."""
    client.force_login(learner.user)
    return client


@pytest.fixture
def pages_kept_as_with_cache_url(settings):
    """Pages kept for visitors and for their readers, as with CACHE_URL: in these tests
    every request is this process's, so its memory is the cache every process shares."""
    from django.core.cache import cache

    settings.WAYMARK_VISITOR_PAGES = settings.WAYMARK_READER_PAGES = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def in_centre_a(centre_a):
    with centre_scope(centre_a):
        yield


@pytest.fixture
def disk_fills_up(monkeypatch):
    """Make the evidence storage run out of space: ``fill(after=n)`` lets n files be saved,
    then the next is cut off partway (a few bytes written) with ``ENOSPC``, as a full
    disk does."""
    import errno
    from pathlib import Path

    from django.core.files.storage import FileSystemStorage

    original = FileSystemStorage._save

    def fill(after: int = 0) -> list[str]:
        saved, attempted = [], []

        def save(storage, name, content):
            attempted.append(name)
            if len(saved) >= after:
                path = Path(storage.path(name))
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(next(iter(content.chunks()))[:10])
                raise OSError(errno.ENOSPC, "No space left on device")
            saved.append(name)
            return original(storage, name, content)

        monkeypatch.setattr(FileSystemStorage, "_save", save)
        return attempted

    return fill
