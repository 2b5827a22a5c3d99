"""Times importing 10,000 learners with enrolments, beside a plain bulk_create of the same
rows, on a throwaway copy of the database DATABASE_URL names (PostgreSQL is the one that
counts). Not a test: it prints its figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/waymark .venv/bin/python benchmarks/import_learners.py
"""

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django

django.setup()

from django.db import connection, transaction
from django.utils import timezone

from centre.models import Role
from centre.services import add_member, save_centre, set_offered_units
from common.scoping import centre_scope
from learners.models import Enrolment, Learner
from learners.registration.imports import import_register
from learners.registration.register import read_register
from units.models import UnitPage
from units.parsing import parse_unit_file
from units.services import import_unit

ROWS = int(os.environ.get("BENCHMARK_ROWS", "10000"))
SEED = Path(__file__).resolve().parent.parent / "units" / "data" / "ocr-unit-35-R-600-9587.txt"
HEADER = "first_name,last_name,email,uln,candidate_number,unit_urn,assessor_email"


def uln(first_nine: int) -> str:
    while True:
        digits = str(first_nine)
        check = (10 - sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))) % 11
        if check < 10:
            return f"{digits}{check}"
        first_nine += 1


def register_csv(rows: int) -> bytes:
    lines = [HEADER]
    for n in range(rows):
        lines.append(
            f"Learner{n},Surname{n},learner{n}@example.org,{uln(100000000 + 3 * n)},{n:04d},"
            f"R/600/9587,assessor{n % 20}@example.org"
        )
    return "\n".join(lines).encode()


def main() -> None:
    if ROWS > 10000:
        sys.exit("Candidate numbers are 4 digits: a centre holds at most 10,000 learners.")
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"{connection.vendor} database {test_name}, {ROWS:,} learners each with an enrolment")
        import_unit(spec=parse_unit_file(SEED.read_bytes()))
        centre, _ = save_centre(number="12345", name="Benchmark College")
        set_offered_units(centre=centre, urns=["R/600/9587"])
        for n in range(20):
            add_member(centre=centre, email=f"assessor{n}@example.org", role=Role.ASSESSOR)
        data = register_csv(ROWS)

        with centre_scope(centre):
            started = time.perf_counter()
            import_register(centre=centre, register=read_register(data, filename="register.csv"))
            waymark = time.perf_counter() - started
            assert Enrolment.objects.count() == ROWS

            learners = list(Learner.objects.order_by("pk").values("first_name", "last_name", "email", "uln"))
            unit = UnitPage.objects.get(urn="R/600/9587")
            with transaction.atomic():
                Enrolment.objects.all().delete()
                Learner.objects.all().delete()
            started = time.perf_counter()
            with transaction.atomic():
                created = Learner.objects.bulk_create(
                    [
                        Learner(centre=centre, candidate_number=f"{n:04d}", **values).fill_keys()
                        for n, values in enumerate(learners)
                    ],
                    batch_size=1000,
                )
                Enrolment.objects.bulk_create(
                    [
                        Enrolment(centre=centre, learner=learner, unit=unit, start_date=timezone.localdate())
                        for learner in created
                    ],
                    batch_size=1000,
                )
            plain = time.perf_counter() - started

        print(f"Waymark import (check, write, grant, audit): {ROWS / waymark:8,.0f} rows/s ({waymark:.2f} s)")
        print(f"plain bulk_create of the same rows:          {ROWS / plain:8,.0f} rows/s ({plain:.2f} s)")
        print(f"Waymark's rate is {plain / waymark:.0%} of bulk_create's (target: at least 33%)")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process: {peak:.0f} MB")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
