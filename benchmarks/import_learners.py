"""Times importing a register of 10,000 learners, each with an enrolment, beside plain
bulk_creates of the same rows, on throwaway copies of the database DATABASE_URL names
(PostgreSQL is the one that counts). Not a test: it prints its figures.

Each side starts from the same copy of one prepared database (the seed unit, a centre that
offers it, 20 assessors) and reads the same register file, in a fresh process of its own,
in rounds with the order turned every round:

- Waymark: ``import_register`` on the file, as the import page and ``manage.py
  import_learners`` run it (read and check every row; write the learners, their
  accounts and learner role, the enrolments and their assessors, and the audit records;
  queue the invitations for the worker);
- learners and enrolments: a plain ``bulk_create`` of the file's learners and their
  enrolments, nothing else (what the issue measures against);
- every row: a plain ``bulk_create`` of every row Waymark's import writes (accounts,
  learners, roles, enrolments, audit records), unchecked and unchained.

It prints each side's seconds and peak memory (lowest/median/highest), Waymark's rate over
each plain side's, round by round, against the target (at least 0.8), and then the task
worker's time to email the invitations the import queued (``db_worker --batch``), which
nobody waits for at the import page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/waymark .venv/bin/python benchmarks/import_learners.py

--rows N (10,000); --rounds N (3); --smoke: 200 rows, one round, to show that it still runs
(tests/test_benchmark_smoke.py).
"""

import argparse
import contextlib
import csv
import io
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = Path(tempfile.mkdtemp(prefix="waymark-import-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# Each side's copy of the database is made and dropped while no connection is open to it.
os.environ["DATABASE_POOL"] = "false"
# The invitations are queued for the worker, as in production (whatever a test run set).
os.environ["TASK_BACKEND"] = "django_tasks_db.DatabaseBackend"

import django

django.setup()

from django.db import connection

SEED = ROOT / "units" / "data" / "ocr-unit-35-R-600-9587.txt"
URN = "R/600/9587"
CENTRE = "12345"
HEADER = "first_name,last_name,email,uln,candidate_number,unit_urn,assessor_email"
TARGET = 0.8


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
            f"{URN},assessor{n % 20}@example.org"
        )
    return "\n".join(lines).encode()


def prepare() -> None:
    from centre.models import Role
    from centre.services import add_member, save_centre, set_offered_units
    from units.parsing import parse_unit_file
    from units.services import import_unit

    import_unit(spec=parse_unit_file(SEED.read_bytes()))
    centre, _ = save_centre(number=CENTRE, name="Benchmark College")
    set_offered_units(centre=centre, urns=[URN])
    for n in range(20):
        add_member(centre=centre, email=f"assessor{n}@example.org", role=Role.ASSESSOR)
    # The assessors' invitations, queued as the import's will be: not this benchmark's to send.
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()


# Copies of the prepared database, one for each side of each round.


def copy_database(prepared: str, copy: str) -> None:
    if connection.vendor == "postgresql":
        # From the server's own database: nobody may be connected to a template.
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{prepared}"')
    else:
        shutil.copyfile(prepared, copy)


def drop_database(copy: str) -> None:
    if connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
    else:
        Path(copy).unlink(missing_ok=True)


def on_database(name: str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = name


# The sides, each run in a child process on its own copy.


def waymark(data: bytes) -> float:
    from learners.registration.imports import import_register
    from learners.registration.register import read_register

    with centre_of_benchmark() as centre:
        started = time.perf_counter()
        import_register(centre=centre, register=read_register(data, filename="register.csv"))
        return time.perf_counter() - started


def learners_and_enrolments(data: bytes) -> float:
    from django.db import transaction
    from django.utils import timezone

    from learners.models import Enrolment, Learner
    from units.models import UnitPage

    with centre_of_benchmark() as centre:
        started = time.perf_counter()
        rows = list(csv.DictReader(io.StringIO(data.decode())))
        unit = UnitPage.objects.get(urn=URN)
        with transaction.atomic():
            learners = Learner.objects.bulk_create(
                [learner_of(centre, row).fill_keys() for row in rows], batch_size=1000
            )
            Enrolment.objects.bulk_create(
                [
                    Enrolment(centre=centre, learner=learner, unit=unit, start_date=timezone.localdate())
                    for learner in learners
                ],
                batch_size=1000,
            )
        return time.perf_counter() - started


def every_row(data: bytes) -> float:
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from accounts.names import person_sort_key
    from accounts.services import unusable_password
    from audit.models import AuditRecord
    from centre.models import Membership, Role
    from learners.models import Enrolment, Learner
    from units.models import UnitPage

    with centre_of_benchmark() as centre:
        started = time.perf_counter()
        rows = list(csv.DictReader(io.StringIO(data.decode())))
        unit = UnitPage.objects.get(urn=URN)
        assessors = {user.email: user for user in User.objects.filter(email__startswith="assessor")}
        now = timezone.now()
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(
                        email=row["email"],
                        first_name=row["first_name"],
                        last_name=row["last_name"],
                        sort_key=person_sort_key(last_name=row["last_name"], first_name=row["first_name"]),
                        password=unusable_password(),
                        invited_at=now,
                    )
                    for row in rows
                ],
                batch_size=1000,
            )
            learners = []
            for row, user in zip(rows, users, strict=True):
                learner = learner_of(centre, row).fill_keys()
                learner.user = user
                learners.append(learner)
            Learner.objects.bulk_create(learners, batch_size=1000)
            Membership.objects.bulk_create(
                [Membership(centre=centre, user=user, role=Role.LEARNER) for user in users], batch_size=1000
            )
            Enrolment.objects.bulk_create(
                [
                    Enrolment(
                        centre=centre,
                        learner=learner,
                        unit=unit,
                        assessor=assessors[row["assessor_email"]],
                        start_date=timezone.localdate(),
                    )
                    for row, learner in zip(rows, learners, strict=True)
                ],
                batch_size=1000,
            )
            last = AuditRecord.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
            AuditRecord.objects.bulk_create(
                [
                    AuditRecord(
                        centre=centre,
                        verb="account.invited",
                        object_type="accounts.user",
                        object_id=str(user.pk),
                        details={"role": Role.LEARNER, "person": str(user.audit_key)},
                        learner_ref=learner.pk,
                        sequence=last + n,
                        previous_hash="0" * 64,
                        hash="0" * 64,
                    )
                    for n, (user, learner) in enumerate(zip(users, learners, strict=True), start=1)
                ],
                batch_size=1000,
            )
        return time.perf_counter() - started


def learner_of(centre, row: dict):
    from learners.models import Learner

    return Learner(
        centre=centre,
        first_name=row["first_name"],
        last_name=row["last_name"],
        email=row["email"],
        uln=row["uln"],
        candidate_number=row["candidate_number"],
    )


@contextlib.contextmanager
def centre_of_benchmark():
    """The benchmark's centre, with its scope entered, as a request for it has."""
    from centre.models import Centre
    from common.scoping import centre_scope, scopes_disabled

    with scopes_disabled():
        centre = Centre.objects.get(number=CENTRE)
    with centre_scope(centre):
        yield centre


SIDES = {"Waymark": waymark, "learners and enrolments": learners_and_enrolments, "every row": every_row}


def in_own_process(side, data: bytes, database: str) -> tuple[float, float]:
    """``side``'s seconds and its process's peak memory (MB), on the copy ``database``."""
    context = multiprocessing.get_context("fork")
    results = context.SimpleQueue()
    child = context.Process(target=_run_into, args=(results, side, data, database))
    child.start()
    outcome = results.get()
    child.join()
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _run_into(results, side, data: bytes, database: str) -> None:
    try:
        on_database(database)
        seconds = side(data)
        results.put((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    except Exception as error:  # the parent raises it, with the side's message
        results.put(RuntimeError(f"{side.__name__}: {type(error).__name__}: {error}"))
    finally:
        connection.close()


def worker_sends_invitations(database: str, rows: int) -> tuple[float, float]:
    """``manage.py db_worker --batch`` on the copy Waymark's import left: the seconds of the
    whole command (the worker's start included) and of its tasks alone (from the first
    task's start to the last one's end), once every invitation it queued was sent."""
    from django.db.models import Max, Min
    from django_tasks_db.models import DBTaskResult

    environment = {**os.environ, "DATABASE_URL": database_url(database)}
    started = time.perf_counter()
    worker = subprocess.run(  # noqa: S603 (this interpreter, running manage.py)
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--queue-name",
            "*",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    command = time.perf_counter() - started
    if worker.returncode:
        raise RuntimeError(f"db_worker --batch failed:\n{worker.stdout}{worker.stderr}")
    on_database(database)
    done = DBTaskResult.objects.filter(status="SUCCESSFUL")
    sent = sum(result.return_value or 0 for result in done)
    if sent != rows:
        raise RuntimeError(f"The worker sent {sent} invitations, not {rows}")
    span = done.aggregate(first=Min("started_at"), last=Max("finished_at"))
    return command, (span["last"] - span["first"]).total_seconds()


def database_url(name: str) -> str:
    """DATABASE_URL, naming the database ``name`` instead."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


def spread(values) -> str:
    values = sorted(values)
    return "/".join(f"{v:.2f}" for v in (values[0], statistics.median(values), values[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="200 rows, one round")
    arguments = parser.parse_args()
    rows = 200 if arguments.smoke else arguments.rows
    rounds = 1 if arguments.smoke else arguments.rounds
    if rows > 10000:
        sys.exit("Candidate numbers are 4 digits: a centre holds at most 10,000 learners.")

    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(SCRATCH / "prepared.sqlite3")
    prepared = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    data = register_csv(rows)
    try:
        prepare()
        print(f"{connection.vendor}: {rows:,} learners, each with an enrolment; {rounds} round(s)")
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in SIDES}
        names = list(SIDES)
        for round_number in range(rounds):
            for name in names[round_number % 3 :] + names[: round_number % 3]:
                copy = _copy_name(prepared, f"{round_number}_{names.index(name)}")
                on_database(prepared)
                copy_database(prepared, copy)
                try:
                    results[name].append(in_own_process(SIDES[name], data, copy))
                    if name == "Waymark" and round_number == 0:
                        worker = worker_sends_invitations(copy, rows)
                finally:
                    on_database(prepared)
                    drop_database(copy)
        report(rows, results, worker)
    finally:
        on_database(prepared)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(SCRATCH, ignore_errors=True)


def _copy_name(prepared: str, suffix: str) -> str:
    if connection.vendor == "sqlite":
        return str(SCRATCH / f"copy_{suffix}.sqlite3")
    return f"{prepared}_copy_{suffix}"


def report(rows: int, results: dict[str, list[tuple[float, float]]], worker: tuple[float, float]) -> None:
    print(f"{'side':<24} {'seconds (low/median/high)':>26} {'rows/s (median)':>16} {'peak MB':>8}")
    for name, measured in results.items():
        seconds = [s for s, _ in measured]
        print(
            f"{name:<24} {spread(seconds):>26} {rows / statistics.median(seconds):>16,.0f} "
            f"{max(peak for _, peak in measured):>8.0f}"
        )
    for plain in ("learners and enrolments", "every row"):
        ratios = [p / w for (w, _), (p, _) in zip(results["Waymark"], results[plain], strict=True)]
        verdict = "met" if min(ratios) >= TARGET else "not met"
        print(
            f"Waymark's rate over plain bulk_create of {plain}, round by round: {spread(ratios)} "
            f"(target at least {TARGET}: {verdict})"
        )
    command, tasks = worker
    print(
        f"the worker emailed the {rows:,} invitations in {tasks:.2f} s of tasks, {command:.2f} s with its "
        "start (db_worker --batch, once; into Django's in-memory email backend, not a mail server)"
    )


if __name__ == "__main__":
    main()
