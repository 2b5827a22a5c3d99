"""Times the unit tracking grid, server side, as an IQA asks for it: cohorts of 350, 1,000
and 3,000 learners on a unit of 20 criteria, each learner with a submitted item mapped to
every criterion and a decision on each, on a throwaway copy of the database DATABASE_URL
names (PostgreSQL is the one that counts). Each cohort is a centre of its own; the grid's
first and last pages are asked for in turn, cohort after cohort, for several rounds. Not a
test: it prints, for each cohort and page, the median and best time, the queries and the
page's size. Targets: the 350 under 100 ms, the 3,000 under 500 ms, and the same queries
whatever the cohort's size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/waymark .venv/bin/python benchmarks/unit_grid.py

--cohorts 350,1000: the sizes; --rounds N (7); --smoke: 20 and 60 learners, two rounds.
BENCHMARK_PROFILE=1: cProfile of the largest cohort's first page.
"""

import argparse
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
from django.test.utils import CaptureQueriesContext, setup_test_environment

from assessment.selectors import GRID_PAGE_SIZE, unit_criteria
from benchmarks.sessions import signed_in_client
from centre.models import Role
from centre.services import add_member, save_centre, set_offered_units
from common.scoping import centre_scope
from tests.factories.cohort import build_cohort, wide_unit

CRITERIA_EACH, OUTCOMES = 5, 4
TARGETS_MS = {350: 100, 3000: 500}


def build(unit, learners: int, start: int):
    """A centre with ``learners`` on ``unit`` (numbered from ``start``); its IQA, signed in."""
    centre, _ = save_centre(number=f"{10000 + learners}", name=f"Benchmark College {learners}")
    set_offered_units(centre=centre, urns=[unit.urn])
    iqa, _ = add_member(centre=centre, email=f"iqa{learners}@example.org", role=Role.IQA)
    assessors = [
        add_member(centre=centre, email=f"a{n}.{learners}@example.org", role=Role.ASSESSOR)[0].user
        for n in range(10)
    ]
    with centre_scope(centre):
        build_cohort(centre=centre, unit=unit, learners=learners, assessors=assessors, start=start)
    return signed_in_client(iqa.user)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cohorts", default="350,1000,3000")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--smoke", action="store_true")
    arguments = parser.parse_args()
    cohorts = [20, 60] if arguments.smoke else [int(n) for n in arguments.cohorts.split(",")]
    rounds = 2 if arguments.smoke else arguments.rounds

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        unit = wide_unit(outcomes=OUTCOMES, criteria_each=CRITERIA_EACH)
        path = f"/assessment/units/{unit.pk}/"
        clients, start = {}, 0
        for learners in cohorts:
            started = time.perf_counter()
            clients[learners] = build(unit, learners, start)
            start += learners
            print(f"{connection.vendor}: {learners} learners built in {time.perf_counter() - started:.0f} s")
        pages = {n: {"first": 1, "last": -(-n // GRID_PAGE_SIZE)} for n in cohorts}
        for client in clients.values():  # warm: templates compiled, connection open
            assert client.get(path).status_code == 200
        timings = {(n, which): [] for n in cohorts for which in ("first", "last")}
        queries, sizes = {}, {}
        for _ in range(rounds):
            for learners, client in clients.items():
                for which, number in pages[learners].items():
                    with CaptureQueriesContext(connection) as captured:
                        started = time.perf_counter()
                        response = client.get(path, {"page": number})
                        timings[(learners, which)].append(time.perf_counter() - started)
                    assert response.status_code == 200
                    queries[(learners, which)] = len(captured)
                    sizes[(learners, which)] = len(response.content)
        print(f"\n{len(unit_criteria(unit))} criteria, {GRID_PAGE_SIZE} learners a page, {rounds} rounds")
        print(
            f"{'learners':>8} {'page':>6} {'median ms':>10} {'best ms':>8} {'queries':>8} {'kB':>6}  target"
        )
        for (learners, which), measured in timings.items():
            median = statistics.median(measured) * 1000
            target = TARGETS_MS.get(learners) if which == "first" else None
            verdict = "" if target is None else f"{target} ms: {'met' if median < target else 'not met'}"
            print(
                f"{learners:>8} {which:>6} {median:>10.0f} {min(measured) * 1000:>8.0f} "
                f"{queries[(learners, which)]:>8} {sizes[(learners, which)] / 1024:>6.0f}  {verdict}"
            )
        print(f"same queries whatever the size: {'yes' if len(set(queries.values())) == 1 else 'no'}")
        if os.environ.get("BENCHMARK_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(clients[max(cohorts)].get, path)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
