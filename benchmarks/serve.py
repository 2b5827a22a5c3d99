"""Serves Waymark as production does (gunicorn, as scripts/serve runs it, with one process
of WEB_THREADS threads) on a throwaway copy of the database DATABASE_URL names (PostgreSQL
is the one that counts), and drives its busiest pages over loopback with wrk for a fixed
time each: the learner's portfolio home, the assessor's caseload of 500 enrolments, the
public unit page, the moderator's sample of 60 candidates, the IQA's samples and the audit
trail, each as the person who reads it, beside a trivial page served by the same process
(benchmarks/serve_urls.py). Not a test: it prints requests a second, p50 and p99 of each.
Targets: 250 requests a second for the first three, 100 for the moderator's sample.

The portfolio, the caseload and the sample are kept for their readers when CACHE_URL is
set (common.reader_pages), so driving one address again and again measures the page
given from the cache. A second server, with the same settings but keeping no page,
measures each of them rendered afresh, as the first view after a change is: both are
printed (the targets are read against the first).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/waymark .venv/bin/python benchmarks/serve.py

--smoke: a few learners and two seconds a page, to show that it all still runs (CI,
tests/test_serve_benchmark.py). --seconds N: how long each page is driven (10).
BENCHMARK_PROFILE=<part of a page's name>: that page's cProfile, in this process.
BENCHMARK_CONNECTIONS: wrk's open connections (4). The database connections are as the
environment's settings make them (README, "Configuration"), for the server as for
production.
"""

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The production profile, as scripts/serve starts it, over plain HTTP on loopback; the
# settings are this process's and the server's alike (the sessions made here are signed
# with the same SECRET_KEY the server checks). Its files, static and evidence, go to a
# folder of its own, removed at the end.
SCRATCH = Path(tempfile.mkdtemp(prefix="waymark-serve-"))
SERVER_ENVIRONMENT = {
    "WAYMARK_ENVIRONMENT": "production",
    "WAYMARK_HTTPS": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_SETTINGS_MODULE": "benchmarks.serve_settings",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "LOG_LEVEL": "WARNING",
    "WAYMARK_REQUIRE_TWO_FACTOR": "true",
    "STATIC_ROOT": str(SCRATCH / "static"),
    "EVIDENCE_ROOT": str(SCRATCH / "evidence"),
}
os.environ.update(SERVER_ENVIRONMENT)
os.environ.pop("TASK_BACKEND", None)  # production's, the database queue

import django
from django.conf import settings
from django.db import DatabaseError, connection

SEED = ROOT / "units" / "data" / "ocr-unit-35-R-600-9587.txt"
WRK = "wrk"


@dataclass
class Sizes:
    caseload: int
    candidates: int
    seconds: int


FULL, SMOKE = Sizes(caseload=500, candidates=60, seconds=10), Sizes(caseload=12, candidates=3, seconds=2)


@dataclass
class Page:
    name: str
    path: str
    session: str | None  # the session cookie of the person reading it; None for a visitor
    target: int | None  # requests a second it should reach, if it has a target
    shows: str  # text the page shows when it is the page meant, not a sign-in or an error
    kept: bool = False  # kept for its reader (common.reader_pages), so driven afresh too


def build(sizes: Sizes):
    """The centre and its people, each page's reader signed in: the pages to drive."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from centre.models import Role
    from centre.services import add_member, save_centre, set_offered_units
    from common.scoping import centre_scope
    from iqa.services import start_samples
    from moderation.services import create_moderation_sample, grant_moderator_access
    from portfolio.services import add_evidence_files, set_evidence_mappings, submit_evidence_item
    from tests.factories import EvidenceItemFactory
    from tests.factories.cohort import build_cohort
    from tests.helpers import allocated_learner, judged_met, sampling_plan, signed_off_learner
    from units.parsing import parse_unit_file
    from units.selectors import unit_by_urn
    from units.services import import_unit

    import_unit(spec=parse_unit_file(SEED.read_bytes()))
    unit = unit_by_urn(urn="R/600/9587")
    centre, _ = save_centre(number="12345", name="Benchmark College")
    set_offered_units(centre=centre, urns=[unit.urn])
    staff = {
        role: add_member(centre=centre, email=f"{role}@example.org", role=role)[0].user
        for role in (Role.CENTRE_ADMIN, Role.ASSESSOR, Role.IQA)
    }
    other_assessor = add_member(centre=centre, email="other@example.org", role=Role.ASSESSOR)[0].user
    criteria = [c for o in unit.learning_outcomes.all() for c in o.criteria.all()]
    with centre_scope(centre):
        # The assessor's caseload: every enrolment allocated to them, decided.
        caseload = build_cohort(
            centre=centre, unit=unit, learners=sizes.caseload, assessors=[staff[Role.ASSESSOR]]
        )
        start_samples(
            plan=sampling_plan(unit, centre=centre, iqa=staff[Role.IQA]),
            iqa=staff[Role.IQA],
            picks=[(e.pk, "interim") for e in caseload[:: max(1, len(caseload) // 25)]],
        )
        # The learner's portfolio: items mapped to the unit's criteria, half of them
        # submitted and judged.
        enrolment = allocated_learner(
            centre=centre,
            unit=unit,
            assessor=other_assessor,
            candidate_number="9000",
            email="ada@example.org",
        )
        learner, learner_user = enrolment.learner, enrolment.learner.user
        for n in range(8):
            item = EvidenceItemFactory(learner=learner, title=f"Evidence {n + 1}", body="What I did.")
            if n % 4 == 0:
                add_evidence_files(
                    item=item,
                    actor=learner_user,
                    uploads=[SimpleUploadedFile(f"notes-{n}.txt", b"My notes.", "text/plain")],
                )
            mapped = criteria[n::8]
            set_evidence_mappings(item=item, actor=learner_user, claims={c.pk: "Shown here." for c in mapped})
            if n % 2 == 0:
                submit_evidence_item(item=item, actor=learner_user, declared=True)
                judged_met(item, assessor=other_assessor, criteria=mapped)
        # The moderator's sample: signed-off learners, each with an item and a file
        # (candidate numbers after the caseload's).
        sampled = [
            signed_off_learner(
                centre=centre,
                unit=unit,
                assessor=other_assessor,
                candidate_number=f"{8001 + n}",
                email=f"candidate{n}@example.org",
                files=[SimpleUploadedFile("account.txt", b"My account.", "text/plain")],
            )
            for n in range(sizes.candidates)
        ]
        sample = create_moderation_sample(
            centre=centre, unit=unit, actor=staff[Role.CENTRE_ADMIN], enrolment_ids=[e.pk for e in sampled]
        )
        moderator = grant_moderator_access(
            sample=sample, actor=staff[Role.CENTRE_ADMIN], email="moderator@ocr.example"
        ).moderator
    sessions = {
        "learner": signed_in(learner_user, staff=False),
        "assessor": signed_in(staff[Role.ASSESSOR]),
        "iqa": signed_in(staff[Role.IQA]),
        "moderator": signed_in(moderator),
    }
    return [
        Page("trivial page, visitor", "/benchmark/trivial/", None, None, "Nothing here."),
        Page("trivial page, learner", "/benchmark/trivial/", sessions["learner"], None, "Nothing here."),
        Page("learner's portfolio home", "/portfolio/", sessions["learner"], 250, unit.title, kept=True),
        Page(
            f"caseload of {sizes.caseload}", "/assessment/", sessions["assessor"], 250, "Surname", kept=True
        ),
        Page("public unit page", unit.url, None, 250, criteria[0].text[:20]),
        Page(
            f"moderator's sample of {sizes.candidates}",
            f"/moderation/samples/{sample.pk}/",
            sessions["moderator"],
            100,
            "Learner8001",
            kept=True,
        ),
        Page("IQA's samples", "/iqa/", sessions["iqa"], None, unit.title),
        Page("audit trail, IQA", "/audit/", sessions["iqa"], None, "Audit"),
    ]


def signed_in(user, *, staff: bool = True) -> str:
    """The session cookie of ``user`` signed in as signing in leaves them."""
    from benchmarks.sessions import signed_in_client

    return signed_in_client(user, staff=staff).cookies[settings.SESSION_COOKIE_NAME].value


def queries_of(page: Page) -> int:
    """The queries one request for ``page`` makes, asked in this process (a warm request
    first); with BENCHMARK_PROFILE naming the page, its profile too."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    if page.session:
        client.cookies[settings.SESSION_COOKIE_NAME] = page.session
    client.get(page.path)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(page.path)
    if response.status_code != 200:
        sys.exit(f"benchmarks/serve.py: {page.name} ({page.path}) answered {response.status_code}, not 200.")
    if (profiled := os.environ.get("BENCHMARK_PROFILE")) and profiled in page.name:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(client.get, page.path)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return len(queries)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def start_server(port: int, database: str, *, keeps_pages: bool = True) -> subprocess.Popen:
    """gunicorn as scripts/serve runs it, with one process of WEB_THREADS threads."""
    environment = {**os.environ, "DATABASE_URL": database_url(database), "WEB_CONCURRENCY": "1"}
    if not keeps_pages:
        environment["BENCHMARK_KEPT_PAGES"] = "off"
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            os.environ.get("WEB_THREADS", "2"),
            "--timeout",
            "60",
            "--graceful-timeout",
            "30",
            "--access-logfile",
            "-",
            "--no-control-socket",
        ],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("benchmarks/serve.py: gunicorn did not start (its output is above).")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/benchmark/trivial/", timeout=5).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("benchmarks/serve.py: gunicorn did not answer within 60 s.")


def fetch(port: int, page: Page) -> str:
    """The page as its reader gets it; refuses a redirect (to sign in, say) or an error."""

    class NoRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    request = urllib.request.Request(f"http://127.0.0.1:{port}{page.path}")
    if page.session:
        request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={page.session}")
    try:
        with urllib.request.build_opener(NoRedirects).open(request, timeout=30) as response:
            return response.read().decode()
    except urllib.error.HTTPError as error:
        sys.exit(f"benchmarks/serve.py: {page.name} ({page.path}) answered {error.code}, not 200.")


def drive(port: int, page: Page, seconds: int) -> tuple[float, float, float]:
    """wrk on ``page`` for ``seconds``: requests a second, p50 and p99 in milliseconds."""
    command = [
        WRK,
        "--threads",
        "1",
        "--connections",
        os.environ.get("BENCHMARK_CONNECTIONS", "4"),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        f"http://127.0.0.1:{port}{page.path}",
    ]
    if page.session:
        command[1:1] = ["--header", f"Cookie: {settings.SESSION_COOKIE_NAME}={page.session}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx" in output or "Socket errors" in output:
        sys.exit(f"benchmarks/serve.py: {page.name} failed under load:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return rate, milliseconds(output, "50%"), milliseconds(output, "99%")


def milliseconds(output: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\b", output, re.MULTILINE).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small data, two seconds a page")
    parser.add_argument("--seconds", type=int, help="how long each page is driven")
    arguments = parser.parse_args()
    sizes = SMOKE if arguments.smoke else FULL
    seconds = arguments.seconds or sizes.seconds
    # Production's static files storage needs the manifest collectstatic writes (as
    # scripts/serve runs it), in the server and here, where it is read once, when Django
    # first renders a template: so before Django is set up.
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True
    )
    django.setup()
    if connection.vendor != "postgresql":
        print("benchmarks/serve.py: DATABASE_URL is not PostgreSQL; the figures will not be production's.")
    if shutil.which(WRK) is None:
        sys.exit("benchmarks/serve.py: wrk is missing: apt-get install -y wrk (Debian), or brew install wrk.")
    old_name = connection.settings_dict["NAME"]
    # Its own name, apart from the test suite's copy of the same database.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{old_name}_serve_benchmark"
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    servers = []
    try:
        started = time.perf_counter()
        pages = build(sizes)
        if connection.vendor == "postgresql":
            # As autovacuum and the checkpointer would have by now in production: the
            # planner's figures and the visibility map of tables just filled, and the
            # filling's writes flushed, not competing with the pages driven.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
                try:
                    cursor.execute("CHECKPOINT")
                except DatabaseError:
                    print("benchmarks/serve.py: no CHECKPOINT (a superuser's, or pg_checkpoint's, to run).")
        print(f"{connection.vendor} database {database}, built in {time.perf_counter() - started:.0f} s")
        queries = {page.name: queries_of(page) for page in pages}
        connection.close()
        port, afresh_port = free_port(), free_port()
        servers = [start_server(port, database), start_server(afresh_port, database, keeps_pages=False)]
        threads = os.environ.get("WEB_THREADS", "2")
        cache = "Redis (CACHE_URL)" if os.environ.get("CACHE_URL") else "each process's memory"
        print(
            f"gunicorn: 1 process of {threads} threads on 127.0.0.1:{port} (and one keeping no page on "
            f"{afresh_port}); cache: {cache}; wrk: {os.environ.get('BENCHMARK_CONNECTIONS', '4')} "
            f"connections, {seconds} s a page"
        )
        print(
            f"{'page':<32} {'queries':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  {'afresh':>8}"
            f" {'p99 ms':>8}  target"
        )
        for page in pages:
            if page.shows not in fetch(port, page):
                sys.exit(f"benchmarks/serve.py: {page.name} ({page.path}) does not show {page.shows!r}.")
            rate, p50, p99 = drive(port, page, seconds)
            afresh = f"{'':>8} {'':>8}"
            if page.kept:
                afresh_rate, _, afresh_p99 = drive(afresh_port, page, seconds)
                afresh = f"{afresh_rate:8.0f} {afresh_p99:8.1f}"
            met = page.target is not None and rate >= page.target
            verdict = "" if page.target is None else f"{page.target}: {'met' if met else 'NOT met'}"
            measured = f"{queries[page.name]:7d} {rate:8.0f} {p50:8.1f} {p99:8.1f}"
            print(f"{page.name:<32} {measured}  {afresh}  {verdict}", flush=True)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=60)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
