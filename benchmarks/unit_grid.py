"""Times the unit tracking grid, server side, for 350 learners by 20 criteria, on a
throwaway copy of the database DATABASE_URL names (PostgreSQL is the one that counts).
Not a test: it prints its figures. Target: under 300 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/waymark .venv/bin/python benchmarks/unit_grid.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django

django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment

from centre.models import Role
from centre.services import add_member, save_centre, set_offered_units
from common.scoping import centre_scope
from tests.factories.cohort import build_cohort, wide_unit

LEARNERS, CRITERIA_EACH, OUTCOMES, RUNS = 350, 5, 4, 7


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        unit = wide_unit(outcomes=OUTCOMES, criteria_each=CRITERIA_EACH)
        centre, _ = save_centre(number="12345", name="Benchmark College")
        set_offered_units(centre=centre, urns=[unit.urn])
        iqa, _ = add_member(centre=centre, email="iqa@example.org", role=Role.IQA)
        assessors = [
            add_member(centre=centre, email=f"a{n}@example.org", role=Role.ASSESSOR)[0].user
            for n in range(10)
        ]
        with centre_scope(centre):
            build_cohort(centre=centre, unit=unit, learners=LEARNERS, assessors=assessors)
        criteria = OUTCOMES * CRITERIA_EACH
        print(f"{connection.vendor} database {test_name}: {LEARNERS} learners × {criteria} criteria, decided")
        client = Client()
        client.force_login(iqa.user)
        path = f"/assessment/units/{unit.pk}/"
        client.get(path)  # warm: templates compiled, connection open
        timings = []
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200
        median = statistics.median(timings)
        print(f"grid page, server time: median {median * 1000:.0f} ms, best {min(timings) * 1000:.0f} ms")
        print(f"queries per request: {len(queries)}; page size {len(response.content) / 1024:.0f} kB")
        print(f"target under 300 ms: {'met' if median < 0.3 else 'NOT met'}")
        if os.environ.get("BENCHMARK_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(client.get, path)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
