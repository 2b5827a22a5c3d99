import pytest

from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope, scopes_disabled
from learners.services import allocate_assessor
from tests.factories import EnrolmentFactory, LearnerFactory, MembershipFactory


@pytest.fixture
def enrolment(centre_a, seed_unit):
    """A learner of centre A, who signs in, on the seed unit with an allocated assessor."""
    set_offered_units(centre=centre_a, urns=["R/600/9587"])
    with scopes_disabled():
        user = MembershipFactory(centre=centre_a, role=Role.LEARNER).user
        assessor = MembershipFactory(centre=centre_a, role=Role.ASSESSOR).user
        learner = LearnerFactory(centre=centre_a, user=user, first_name="Ada", last_name="Lovelace")
        enrolment = EnrolmentFactory(learner=learner, unit=seed_unit)
    with centre_scope(centre_a):
        allocate_assessor(enrolment=enrolment, assessor=assessor)
    return enrolment


@pytest.fixture
def learner(enrolment):
    return enrolment.learner


@pytest.fixture
def in_centre_a(centre_a):
    with centre_scope(centre_a):
        yield


def criteria_of(unit, *codes):
    from units.models import AssessmentCriterion

    found = {c.code: c for c in AssessmentCriterion.objects.filter(outcome__page=unit, code__in=codes)}
    return [found[code] for code in codes]


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


def stored_names(storage) -> list[str]:
    """Every file in ``storage``, walked from the top."""

    def walk(folder):
        folders, files = storage.listdir(folder)
        yield from (f"{folder}/{name}".lstrip("/") for name in files)
        for sub in folders:
            yield from walk(f"{folder}/{sub}".lstrip("/"))

    return sorted(walk("")) if storage.exists("") else []
