"""Waymark under load as deployed: scripts/serve (the production profile: two gunicorn
processes, one task worker) on a fresh PostgreSQL database, with 50 simulated people on
their everyday journeys for ten minutes (benchmarks/load_users.py, run by Locust in a
process of its own). Learners look at their portfolio, save drafts and upload files;
assessors read their caseload and record decisions on submitted evidence; IQAs sample
signed-off learners and record verdicts; moderators read their sample and ask for its
bundle. Targets: no answer of 500 or more, 95% of answers within 500 ms, and afterwards
every write the people were told succeeded in the database exactly once (evidence items,
files with their stored content, decisions, samples, bundles, each with one audit
record), nothing they were not told of, and the audit trail's hash chain intact.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/waymark .venv/bin/python benchmarks/load.py
    ... benchmarks/load.py --smoke        60 s, and the 95th percentile printed, not enforced

The database DATABASE_URL names is left alone: the run's own (--database, waymark_load) on
the same server is dropped and made again. It prints its figures and exits 1 when a target
is missed.
"""

import argparse
import contextlib
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load_check import check, read_writes, wait_for_bundles
from benchmarks.load_people import make_people, set_up_django

START_SECONDS = 420  # migrating and collecting static files on a busy machine
STOP_SECONDS = 150  # scripts/serve lets gunicorn and the worker finish what they are doing
P95_TARGET_MS = 500


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="60 s, and the 95th percentile only reported (for CI, whose machine is busy)",
    )
    parser.add_argument("--database", default="waymark_load", help="the run's database, dropped and made")
    parser.add_argument("--run-dir", type=Path, default=ROOT / "var" / "load", help="files, logs, CSVs")
    options = parser.parse_args()
    if options.smoke:
        options.seconds = 60
    if options.users < 4:
        parser.error("--users must be at least 4: a learner, an assessor, an IQA and a moderator.")
    return options


def load_database_url(database: str) -> str:
    """DATABASE_URL with the run's database in place of the one it names."""
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the load is measured on PostgreSQL.")
    if database in {urlsplit(url).path.lstrip("/"), "postgres", "template0", "template1"}:
        sys.exit(f"--database {database}: the run drops and makes its database, so it may not be that one.")
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def make_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        urlunsplit(parts._replace(path="/postgres")), autocommit=True, connect_timeout=30
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(run_dir: Path, database_url: str, port: int) -> dict[str, str]:
    """What scripts/serve runs with: a deployment's variables and nothing of the caller's
    (its settings module, its storage) but its CACHE_URL, the cache that more than one
    process shares, on plain HTTP on 127.0.0.1."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(run_dir)),
        **({"PYTHON": os.environ["PYTHON"]} if "PYTHON" in os.environ else {}),
        **({"CACHE_URL": os.environ["CACHE_URL"]} if "CACHE_URL" in os.environ else {}),
        "WAYMARK_ENVIRONMENT": "production",
        "WAYMARK_VAR_DIR": str(run_dir / "var"),
        # Kept between runs: collectstatic then copies nothing that has not changed.
        "STATIC_ROOT": str(run_dir / "static"),
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "WAYMARK_HTTPS": "false",
        # Learners are told of feedback by email: the load is Waymark's, not a mail server's.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "WORKERS": "1",
    }


def people_mix(users: int) -> dict[str, int]:
    """How many of each the simulated people are: mostly learners, as in a centre."""
    assessors = max(1, round(users * 0.16))
    iqas = moderators = max(1, users // 25)
    return {
        "learners": users - assessors - iqas - moderators,
        "assessors": assessors,
        "iqas": iqas,
        "moderators": moderators,
    }


# --- the run ---------------------------------------------------------------------------


def wait_until_serving(base: str, served: subprocess.Popen, log: Path) -> None:
    import urllib.request

    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if served.poll() is not None:
            sys.exit(f"scripts/serve exited ({served.returncode}) before serving; its output is in {log}")
        # Our own http://127.0.0.1, hence S310.
        sign_in = f"{base}/accounts/sign-in/"
        with contextlib.suppress(OSError), urllib.request.urlopen(sign_in, timeout=5) as answer:  # noqa: S310
            if answer.status == 200:
                return
        time.sleep(1)
    sys.exit(f"scripts/serve was not serving within {START_SECONDS} s; its output is in {log}")


def stop(served: subprocess.Popen) -> None:
    """scripts/serve's whole process group: SIGTERM (it stops gunicorn and the worker in
    order), then SIGKILL if it has not ended in time."""
    if served.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(served.pid, signal.SIGTERM)
        try:
            served.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(served.pid, signal.SIGKILL)
            served.wait(timeout=10)


def run_locust(base: str, people: Path, writes: Path, options, mix: dict, csv_prefix: Path) -> None:
    env = {**os.environ, "LOAD_PEOPLE": str(people), "LOAD_WRITES": str(writes)}
    env.pop("DJANGO_SETTINGS_MODULE")
    command = [
        str(ROOT / ".venv" / "bin" / "locust"),
        "--headless",
        "-f",
        str(ROOT / "benchmarks" / "load_users.py"),
        "--users",
        str(options.users),
        "--spawn-rate",
        str(options.spawn_rate),
        "--run-time",
        f"{options.seconds}s",
        # Each person finishes the step they are on, so that no write is cut off between
        # Waymark's answer and the person's log of it.
        "--stop-timeout",
        "120",
        "--host",
        base,
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    print(
        f"Locust: {mix['learners']} learners, {mix['assessors']} assessors, {mix['iqas']} IQAs and "
        f"{mix['moderators']} moderators for {options.seconds} s"
    )
    with (writes.parent / "locust.log").open("w") as log:
        process = subprocess.Popen(  # noqa: S603 (our own venv's locust)
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            process.wait(timeout=options.seconds + 300)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def figures(csv_prefix: Path, writes: Path) -> tuple[list[str], float | None, list[str]]:
    """The summary's lines, the 95th percentile of every answer (ms), and the failures."""
    stats = csv_prefix.with_name(csv_prefix.name + "_stats.csv")
    if not stats.exists():
        return [], None, [f"Locust wrote no statistics; see {writes.parent / 'locust.log'}"]
    rows = list(csv.DictReader(stats.open()))
    lines = [f"{'step':<34} {'requests':>8} {'failed':>6} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)"]
    total = None
    for row in rows:
        name = row["Name"] if row["Type"] else "all"
        lines.append(
            f"{name:<34} {row['Request Count']:>8} {row['Failure Count']:>6} "
            f"{row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
        if row["Name"] == "Aggregated":
            total = row
    failures = []
    errors = writes / "server_errors.json"
    server_errors = json.loads(errors.read_text()) if errors.exists() else None
    if server_errors is None:
        failures.append("Locust did not report its count of server errors")
    else:
        lines.append(f"answers of 500 or more: {sum(server_errors.values())}")
    if server_errors:
        failures.append(f"{sum(server_errors.values())} answers of 500 or more: {server_errors}")
    for kind in ("failures", "exceptions"):
        path = csv_prefix.with_name(f"{csv_prefix.name}_{kind}.csv")
        for row in csv.DictReader(path.open()) if path.exists() else []:
            what = row.get("Error") or row.get("Message")
            failures.append(
                f"{row.get('Name', 'a person')}: {what} ({row.get('Occurrences', row.get('Count'))} times)"
            )
    if total is None or total["Request Count"] == "0":
        return lines, None, [*failures, "no requests were made"]
    lines.append(f"{total['Request Count']} requests, {float(total['Requests/s']):.1f} a second")
    return lines, float(total["95%"]), failures


def stop_asked(signum, frame):
    """SIGTERM ends the run as Ctrl-C does: scripts/serve and Locust, in sessions of their
    own, are stopped on the way out."""
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, stop_asked)
    options = arguments()
    database_url = load_database_url(options.database)
    run_dir = options.run_dir.resolve()
    writes = run_dir / "writes"
    for folder in (run_dir / "var", writes):
        if folder.exists():
            shutil.rmtree(folder)
    writes.mkdir(parents=True)
    port = free_port()
    env = environment(run_dir, database_url, port)
    mix = people_mix(options.users)

    print(f"Making the database {options.database} and the people ...")
    make_database(database_url)
    set_up_django(env)
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    people, before = make_people(mix, options.seconds)
    people_file = run_dir / "people.json"
    people_file.write_text(json.dumps(people))
    print(
        f"... migrated in {migrated - started:.0f} s, people made in {time.perf_counter() - migrated:.0f} s"
    )

    log = run_dir / "serve.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        served = subprocess.Popen(  # noqa: S603 (our own scripts/serve)
            [str(ROOT / "scripts" / "serve")],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_serving(base, served, log)
        print(f"scripts/serve is serving on {base} (2 web processes, 1 task worker)")
        run_locust(base, people_file, writes, options, mix, run_dir / "locust")
        problems = wait_for_bundles(before)
    finally:
        stop(served)

    lines, p95, failures = figures(run_dir / "locust", writes)
    print("\n".join(lines))
    problems += check(read_writes(writes), before)
    told = Counter(w["kind"] for w in read_writes(writes))
    print(
        "Writes the people were told succeeded: "
        + ", ".join(f"{n} {kind}" for kind, n in sorted(told.items()))
    )
    if p95 is not None:
        verdict = "within" if p95 < P95_TARGET_MS else "over"
        print(
            f"95th percentile of every answer: {p95:.0f} ms, {verdict} the target of {P95_TARGET_MS} ms"
            + (" (reported only, with --smoke)" if options.smoke else "")
        )
        if p95 >= P95_TARGET_MS and not options.smoke:
            failures.append(f"the 95th percentile, {p95:.0f} ms, is not under {P95_TARGET_MS} ms")
    print(
        "Consistency: "
        + (
            "every write once, nothing extra, the audit trail intact"
            if not problems
            else f"{len(problems)} problems"
        )
    )
    for problem in problems + failures:
        print(f"  FAIL: {problem}")
    print(f"Logs, statistics and the people file are in {run_dir}")
    return 1 if problems or failures else 0


if __name__ == "__main__":
    sys.exit(main())
