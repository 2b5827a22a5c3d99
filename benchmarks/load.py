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
import hashlib
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "units" / "data" / "ocr-unit-35-R-600-9587.txt"
URN = "R/600/9587"
PASSWORD = "A load test passphrase, 2026"  # noqa: S105 (the simulated people's, on a throwaway database)
START_SECONDS = 420  # migrating and collecting static files on a busy machine
STOP_SECONDS = 150  # scripts/serve lets gunicorn and the worker finish what they are doing
BUNDLE_SECONDS = 300  # the bundles asked for, rendered by the worker after the run
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
    (its settings module, its storage), on plain HTTP on 127.0.0.1."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(run_dir)),
        **({"PYTHON": os.environ["PYTHON"]} if "PYTHON" in os.environ else {}),
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


# --- Django, for making the people and checking the database afterwards ---------------


def set_up_django(env: dict[str, str]) -> None:
    """Django with scripts/serve's settings, and nothing of the caller's environment (a
    test run's settings module or evidence folder), to make the people and read them back."""
    os.environ.clear()
    os.environ.update(env)
    # The people are made with the services, whose invitations go nowhere.
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def uln(n: int) -> str:
    from learners.validators import uln_with_check_digit

    return uln_with_check_digit(600000000 + 7 * n)


def make_people(mix: dict[str, int], seconds: int) -> tuple[dict, dict]:
    """The centre, its staff and learners, and the work waiting for them, made with
    Waymark's own services as a centre makes them; the people file's contents, and what
    the database holds before the load (to tell what the load added)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from accounts.services import confirm_authenticator, unconfirmed_authenticator
    from assessment.services import Judgement, assess_submission, countersign_unit, sign_off_unit
    from centre.models import Role
    from centre.selectors import centre_by_number
    from centre.services import add_member
    from common.scoping import centre_scope, scopes_disabled
    from iqa.services import save_sampling_plan
    from learners.models import Enrolment
    from learners.registration.imports import import_register
    from learners.registration.register import read_register
    from moderation.services import create_moderation_sample, grant_moderator_access
    from portfolio.services import create_evidence_item, set_evidence_mappings, submit_evidence_item
    from units.models import UnitPage

    quiet = open(os.devnull, "w")  # noqa: SIM115 (closed with the process)
    call_command("import_unit", str(SEED), stdout=quiet)
    call_command("create_centre", number="10001", name="Loadbridge College", offer=[URN], stdout=quiet)
    with scopes_disabled():
        centre = centre_by_number(number="10001")
    unit = UnitPage.objects.get(urn=URN)
    criteria = [c for o in unit.learning_outcomes.all() for c in o.criteria.all()]
    users = get_user_model().objects

    def staff(role: str, email: str, first: str, last: str) -> dict:
        membership, _ = add_member(centre=centre, email=email, role=role, first_name=first, last_name=last)
        user = membership.user
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        device = unconfirmed_authenticator(user=user)
        confirm_authenticator(device=device, actor=user)
        return {"email": email, "password": PASSWORD, "key": device.key, "user": user.pk}

    with centre_scope(centre):
        admin, _ = add_member(centre=centre, email="admin@load.example.org", role=Role.CENTRE_ADMIN)
        assessors = [
            staff(Role.ASSESSOR, f"assessor{n}@load.example.org", "Asha", f"Assessor{n}")
            for n in range(mix["assessors"])
        ]
        iqas = [staff(Role.IQA, f"iqa{n}@load.example.org", "Ivor", f"Iqa{n}") for n in range(mix["iqas"])]

        # Each assessor judges about one submission every few seconds; three submissions
        # (two criteria each) per waiting learner, and some to spare.
        waiting_per_assessor = math.ceil((seconds / 4 + 6) / 3)
        # Each IQA samples about one learner every ten seconds; each moderator's sample is five.
        signed_off_count = max(5 * mix["moderators"], mix["iqas"] * math.ceil(seconds / 10 + 3))
        rows, number = [], 0

        def row(kind: str, assessor: dict) -> None:
            nonlocal number
            email = f"{kind}{number}@load.example.org"
            rows.append(
                f"Lee,{kind.title()}{number},{email},{uln(number)},{number:04d},{URN},{assessor['email']}"
            )
            number += 1

        for n in range(mix["learners"]):
            row("learner", assessors[n % len(assessors)])
        for assessor in assessors:
            for _ in range(waiting_per_assessor):
                row("waiting", assessor)
        for n in range(signed_off_count):
            row("signedoff", assessors[n % len(assessors)])
        register = "first_name,last_name,email,uln,candidate_number,unit_urn,assessor_email\n" + "\n".join(
            rows
        )
        import_register(
            centre=centre, register=read_register(register.encode(), filename="register.csv"), invite=False
        )
        enrolments = {
            e.learner.email: e
            for e in Enrolment.objects.filter(centre=centre).select_related("learner__user", "assessor")
        }

        learners = []
        for email, enrolment in enrolments.items():
            if email.startswith("learner"):
                user = enrolment.learner.user
                user.set_password(PASSWORD)
                user.save(update_fields=["password"])
                learners.append({"email": email, "password": PASSWORD, "user": user.pk})

        def evidence(enrolment, title: str, claimed):
            learner_user = enrolment.learner.user
            item, _ = create_evidence_item(
                learner=enrolment.learner,
                actor=learner_user,
                kind="written_account",
                title=title,
                body="What I did at work, and how it meets the criteria.",
                details={},
                creation_token=uuid.uuid4(),
            )
            set_evidence_mappings(
                item=item, actor=learner_user, claims={c.pk: f"Meets {c.code}." for c in claimed}
            )
            submit_evidence_item(item=item, actor=learner_user, declared=True)
            return item

        to_judge = {assessor["user"]: [] for assessor in assessors}
        signed_off = []
        for email, enrolment in enrolments.items():
            if email.startswith("waiting"):
                for n in range(3):
                    item = evidence(enrolment, f"Account {n + 1}", criteria[2 * n : 2 * n + 2])
                    to_judge[enrolment.assessor_id].append(item.pk)
            elif email.startswith("signedoff"):
                item = evidence(enrolment, "Account of my networking", criteria)
                assessor = enrolment.assessor
                assess_submission(
                    item=item,
                    assessor=assessor,
                    judgements={c.pk: Judgement("met", "Good.", 0) for c in criteria},
                )
                sign_off = sign_off_unit(enrolment=enrolment, assessor=assessor, declared=True)
                countersign_unit(sign_off=sign_off, learner_user=enrolment.learner.user, declared=True)
                signed_off.append(enrolment.pk)
        for assessor in assessors:
            assessor["to_judge"] = to_judge[assessor["user"]]

        save_sampling_plan(
            centre=centre,
            unit=unit,
            actor=users.get(pk=iqas[0]["user"]),
            standard_rate=25,
            higher_rate=50,
            methods=[],
            risks={},
        )
        for n, iqa in enumerate(iqas):
            iqa["unit"], iqa["share"] = unit.pk, signed_off[n :: len(iqas)]
        moderators = []
        for n in range(mix["moderators"]):
            sample = create_moderation_sample(
                centre=centre, unit=unit, actor=admin.user, enrolment_ids=signed_off[5 * n : 5 * n + 5]
            )
            email = f"moderator{n}@load.example.org"
            grant_moderator_access(
                sample=sample, actor=admin.user, email=email, first_name="Mo", last_name=f"Moderator{n}"
            )
            moderator = staff(Role.MODERATOR, email, "Mo", f"Moderator{n}")
            moderators.append({**moderator, "sample": sample.pk})
    people = {"learners": learners, "assessors": assessors, "iqas": iqas, "moderators": moderators}
    return people, baseline()


def baseline() -> dict:
    """The newest row of each table the load writes to, before it starts."""
    from django.db.models import Max

    from assessment.models import CriterionDecision
    from audit.models import AuditRecord
    from common.scoping import scopes_disabled
    from iqa.models import IqaSample
    from moderation.models import BundleRender
    from portfolio.models import EvidenceFile, EvidenceItem

    with scopes_disabled():
        newest = {
            model.__name__: model.objects.aggregate(newest=Max("pk"))["newest"] or 0
            for model in (EvidenceItem, EvidenceFile, CriterionDecision, IqaSample, BundleRender)
        }
        newest["audit"] = AuditRecord.objects.aggregate(newest=Max("sequence"))["newest"] or 0
    return newest


# --- afterwards: what the people were told, against what the database holds ----------


def read_writes(writes: Path) -> list[dict]:
    return [
        json.loads(line)
        for log in sorted(writes.glob("*.jsonl"))
        for line in log.read_text().splitlines()
        if line.strip()
    ]


def wait_for_bundles(before: dict) -> list[str]:
    """The bundles asked for are rendered by the task worker: wait (bounded) for each."""
    from common.scoping import scopes_disabled
    from moderation.models import BundleRender

    deadline = time.monotonic() + BUNDLE_SECONDS
    with scopes_disabled():
        renders = BundleRender.objects.filter(pk__gt=before["BundleRender"])
        while renders.exclude(status__in=[BundleRender.Status.DONE, BundleRender.Status.FAILED]).exists():
            if time.monotonic() > deadline:
                waiting = sorted(renders.values_list("pk", flat=True))
                return [f"bundles not rendered within {BUNDLE_SECONDS} s: {waiting}"]
            time.sleep(1)
        return [f"bundle {r.pk} failed: {r.error}" for r in renders.filter(status=BundleRender.Status.FAILED)]


def stored_hash(storage, name: str) -> str:
    with storage.open(name) as stored:
        return hashlib.file_digest(stored, "sha256").hexdigest()


def check(writes: list[dict], before: dict) -> list[str]:
    """Every problem found: a write lost, made twice, or made without the person being
    told; a stored file missing; an audit record missing, doubled or unexplained; the
    audit trail's hash chain broken."""
    from django.core.files.storage import storages
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from assessment.models import CriterionDecision
    from audit.models import AuditRecord
    from common.scoping import scopes_disabled
    from iqa.models import IqaSample
    from moderation.models import BundleRender
    from portfolio.models import EvidenceFile, EvidenceItem

    problems = []
    by_kind = {kind: [w for w in writes if w["kind"] == kind] for kind in {w["kind"] for w in writes}}

    def of(kind: str) -> list[dict]:
        return by_kind.get(kind, [])

    with scopes_disabled():
        audit = list(AuditRecord.objects.filter(sequence__gt=before["audit"]))
        audited = Counter((r.verb, r.object_id) for r in audit)

        def one_audit_record(verb: str, pk, what: str) -> None:
            if (count := audited[(verb, str(pk))]) != 1:
                problems.append(f"{what}: {count} “{verb}” audit records, not 1")

        # Evidence items: each one the learners were told of, once; the last title saved.
        items = {i.pk: i for i in EvidenceItem.objects.filter(pk__gt=before["EvidenceItem"])}
        created = Counter(w["item"] for w in of("evidence_created"))
        for pk, count in created.items():
            if count != 1:
                problems.append(f"evidence item {pk}: created {count} times by the learners' account")
            if pk not in items:
                problems.append(f"evidence item {pk}: lost (a learner was told it was saved)")
            one_audit_record("evidence.created", pk, f"evidence item {pk}")
        problems += [
            f"evidence item {pk}: made, though no learner was told so" for pk in items.keys() - created.keys()
        ]
        # Each item is its learner's alone, and their log is in the order they saved it.
        last_title = {w["item"]: w["title"] for w in of("evidence_created") + of("evidence_edited")}
        for pk, title in last_title.items():
            if pk in items and items[pk].title != title:
                problems.append(
                    f"evidence item {pk}: titled “{items[pk].title}”, not the last saved “{title}”"
                )

        # Files: a row each, its content in storage, once.
        files = list(EvidenceFile.objects.filter(pk__gt=before["EvidenceFile"]))
        stored = Counter((f.item_id, f.original_name) for f in files)
        uploaded = Counter((w["item"], w["name"]) for w in of("file_uploaded"))
        for key, count in uploaded.items():
            if stored[key] != count:
                problems.append(f"file {key[1]} of item {key[0]}: {stored[key]} rows, not {count}")
        problems += [
            f"file {key[1]} of item {key[0]}: stored, though no learner was told so"
            for key in stored.keys() - uploaded.keys()
        ]
        storage = storages["evidence"]
        sent = {(w["item"], w["name"]): w["sha256"] for w in of("file_uploaded")}
        for f in files:
            if not storage.exists(f.file.name) or stored_hash(storage, f.file.name) != sent.get(
                (f.item_id, f.original_name)
            ):
                problems.append(f"file {f.original_name} of item {f.item_id}: not in storage as uploaded")
            one_audit_record("evidence.file_added", f.pk, f"file {f.original_name}")

        # Decisions: one per criterion judged, on the version judged, each audited once.
        decisions = list(
            CriterionDecision.objects.filter(pk__gt=before["CriterionDecision"]).prefetch_related("evidence")
        )
        judged = Counter()
        for w in of("decisions_recorded"):
            item = EvidenceItem.objects.get(pk=w["item"])
            version = item.versions.order_by("-number").first()
            for criterion in w["criteria"]:
                judged[(version.pk, criterion)] += 1
        recorded = Counter((version.pk, d.criterion_id) for d in decisions for version in d.evidence.all())
        for key, count in judged.items():
            if recorded[key] != count:
                problems.append(
                    f"decision on criterion {key[1]} of evidence version {key[0]}: "
                    f"{recorded[key]} recorded, not {count}"
                )
        problems += [
            f"decision on criterion {key[1]} of evidence version {key[0]}: recorded, "
            "though no assessor was told so"
            for key in recorded.keys() - judged.keys()
        ]
        for d in decisions:
            one_audit_record("decision.recorded", d.pk, f"decision {d.pk}")

        # IQA samples and verdicts.
        samples = list(IqaSample.objects.filter(pk__gt=before["IqaSample"]))
        started = Counter(tuple(w["pick"].split(":")) for w in of("iqa_sample_started"))
        made = Counter((str(s.enrolment_id), s.stage) for s in samples)
        if started != made:
            problems.append(
                f"IQA samples: {sum(made.values())} made, {sum(started.values())} started by the IQAs "
                f"(these differ: {sorted((made - started) + (started - made))})"
            )
        verdicts = {w["sample"] for w in of("iqa_verdict_recorded")}
        for s in samples:
            one_audit_record("iqa.sample_started", s.pk, f"IQA sample {s.pk}")
            if (s.pk in verdicts) != bool(s.verdict):
                problems.append(
                    f"IQA sample {s.pk}: verdict “{s.verdict}”, "
                    f"{'' if s.pk in verdicts else 'not '}recorded by its IQA"
                )
            if s.verdict:
                one_audit_record("iqa.verdict_recorded", s.pk, f"IQA sample {s.pk}'s verdict")

        # Moderation: every page the moderators read is audited once; bundles asked for once.
        renders = {r.pk: r for r in BundleRender.objects.filter(pk__gt=before["BundleRender"])}
        asked = {w["render"] for w in of("bundle_requested")}
        if asked != renders.keys():
            problems.append(f"bundles: {sorted(renders)} made, {sorted(asked)} given to the moderators")
        for pk, render in renders.items():
            one_audit_record("moderation.bundle_requested", pk, f"bundle {pk}")
            if render.status == BundleRender.Status.DONE:
                one_audit_record("moderation.bundle_rendered", pk, f"bundle {pk}")

        # Nothing in the audit trail that the people's writes and reads do not explain.
        expected = Counter(
            {
                "evidence.created": len(created),
                "evidence.file_added": len(files),
                "decision.recorded": len(decisions),
                "iqa.sample_started": len(samples),
                "iqa.verdict_recorded": sum(bool(s.verdict) for s in samples),
                "moderation.sample_viewed": len(of("moderation_sample_viewed")),
                "moderation.learner_viewed": len(of("moderation_learner_viewed")),
                "moderation.bundle_viewed": len(of("moderation_bundle_viewed")),
                "moderation.bundle_requested": len(renders),
                "moderation.bundle_rendered": sum(
                    r.status == BundleRender.Status.DONE for r in renders.values()
                ),
            }
        )
        verbs = Counter(r.verb for r in audit)
        for verb in expected.keys() | verbs.keys():
            if verbs[verb] != expected[verb]:
                problems.append(f"audit trail: {verbs[verb]} “{verb}” records, {expected[verb]} expected")
    try:
        call_command("verify_audit", stdout=open(os.devnull, "w"))  # noqa: SIM115
    except CommandError as error:
        problems.append(str(error))
    return problems


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
