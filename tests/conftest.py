"""Fixtures of the pytest suite (tests/) that its folders share; those the browser journeys
share too are in the repository's conftest.py, helpers in tests/helpers.py."""

import pytest

from common.scoping import centre_scope
from tests.helpers import enrol


@pytest.fixture
def enrolment(centre_a, seed_unit):
    """Ada Lovelace, a learner of centre A who signs in, on the seed unit, allocated to
    Tom Hughes, an assessor of the centre."""
    return enrol(centre_a, seed_unit, first_name="Ada", last_name="Lovelace")


@pytest.fixture
def learner(enrolment):
    return enrolment.learner


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
