"""Make the seeded snapshot that ``test_upgrade_from_seeded_snapshot.py`` upgrades.

Run it from the repository's root with the project's Python, on the code whose migrations
the snapshot is to stand for (that is, before a reshape of the apps, never after it):

    .venv/bin/python tests/upgrades/make_seeded_snapshot.py

The snapshot committed beside it was made at commit ccc4063, before the apps were split
by domain (issue 14); this script has since followed the code to its new modules.

It makes a fresh SQLite database in a temporary folder of its own (nothing under ``var/``,
no ``DATABASE_URL`` and no evidence folder of yours is touched), migrates it, and runs
``manage.py seed_demo --moderation-candidates 1``: the demo centre, a person in every role,
a learner's portfolio and networking records, a learner signed off, countersigned and
sampled by the IQA, and one moderation candidate with photographs and a PDF, in two
moderation samples with the moderator's access. The candidate's photographs are made
smaller than seed_demo's own 1200 × 900 (the snapshot is committed): they are still
uploaded through the learner's service, checked and given print renditions. Then, through
Waymark's own services, it adds what seed_demo leaves empty: a retention hold, networking
guidelines, an assessor's risk level, an interim IQA sample the IQA disagrees with and its
action answered and closed, a rendered moderation bundle, and a sign-in failure.

``verify_audit`` and ``verify_storage`` must pass on that database; then it replaces
``tests/upgrades/snapshot/`` with the leaf migrations, the rows, their counts and the
evidence files (the format is in ``tests/upgrades/snapshot.py``), and prints its size.
"""

import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
SEED_DEMO_OPTIONS = ["--moderation-candidates", "1"]
# The candidate's photographs, in pixels: small enough to commit, big enough to be photographs.
PHOTOGRAPH_SIZE = (320, 240)
SNAPSHOT_SIZE_WARNING = 4 * 1024 * 1024


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="waymark-snapshot-"))
    try:
        _configure(work)
        import django

        django.setup()
        _seed()
        _check()
        _write()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _configure(work: Path) -> None:
    for name in (
        "EVIDENCE_STORAGE_BACKEND",
        "FILE_STORAGE_BACKEND",
        "WAYMARK_S3_BUCKET",
        "WAYMARK_S3_ENDPOINT_URL",
        "WAYMARK_S3_REGION",
        "DATABASE_CONN_MAX_AGE",
    ):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "WAYMARK_ENVIRONMENT": "development",
            "WAYMARK_VAR_DIR": str(work),
            "DATABASE_URL": f"sqlite:///{work / 'waymark.sqlite3'}",
            "EVIDENCE_ROOT": str(work / "evidence"),
            "MEDIA_ROOT": str(work / "media"),
            "STATIC_ROOT": str(work / "static"),
            # Bundles render and emails are "sent" at once, in this process: no worker.
            "TASK_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "WAYMARK_REQUIRE_TWO_FACTOR": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(BASE_DIR))


def _seed() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _smaller_photographs()
    call_command("seed_demo", *SEED_DEMO_OPTIONS, stdout=io.StringIO())
    _what_seed_demo_leaves_empty()


def _smaller_photographs() -> None:
    from PIL import Image

    from operations.demo import candidates

    photograph = candidates.photograph

    def smaller(seed: int, index: int, format: str) -> tuple[str, bytes, str]:
        name, content, content_type = photograph(seed, index, format)
        with Image.open(io.BytesIO(content)) as image:
            resized = image.resize(PHOTOGRAPH_SIZE)
        out = io.BytesIO()
        resized.save(out, format, **({"quality": 85} if format == "JPEG" else {}))
        return name, out.getvalue(), content_type

    candidates.photograph = smaller


def _what_seed_demo_leaves_empty() -> None:
    from django.contrib.auth import get_user_model

    from accounts.throttling import record_sign_in_failure
    from centre.selectors import centre_by_number
    from common.scoping import centre_scope
    from iqa.models import AssessorRisk, SamplingPlan
    from iqa.services import (
        close_action,
        record_sample_verdict,
        respond_to_action,
        save_sampling_plan,
        start_samples,
    )
    from learners.models import Learner
    from moderation.bundle import request_bundle
    from moderation.models import BundleRender, ModerationSample
    from networking.services import save_guidelines
    from operations.demo.content import DEMO_CENTRE_NUMBER, DEMO_LEARNER_ULN
    from privacy.services import place_hold

    users = get_user_model().objects
    admin = users.get(email="admin@demo.waymark.test")
    assessor = users.get(email="assessor@demo.waymark.test")
    iqa = users.get(email="iqa@demo.waymark.test")
    centre = centre_by_number(number=DEMO_CENTRE_NUMBER)
    with centre_scope(centre):
        learner = Learner.objects.get(centre=centre, uln=DEMO_LEARNER_ULN)
        place_hold(
            learner=learner, actor=admin, reason="An appeal against an assessment decision is under way."
        )
        save_guidelines(
            learner=learner,
            body="## Finding and approaching contacts\n\nIntroduce yourself and Northgate first.",
        )
        plan = SamplingPlan.objects.get(centre=centre)
        plan = save_sampling_plan(
            centre=centre,
            unit=plan.unit,
            actor=iqa,
            standard_rate=plan.standard_rate,
            higher_rate=plan.higher_rate,
            methods=plan.methods,
            risks={assessor.pk: AssessorRisk.Level.NEW},
        )
        (sample,) = start_samples(plan=plan, iqa=iqa, picks=[(learner.enrolments.get().pk, "interim")])
        record_sample_verdict(
            sample=sample,
            iqa=iqa,
            verdict="disagree",
            comments="Feedback on the draft is too brief.",
            actions=["Give the learner written feedback on the draft account."],
        )
        action = sample.actions.get()
        respond_to_action(action=action, assessor=assessor, response="Written feedback given on 3 December.")
        close_action(action=action, iqa=iqa)
        render = request_bundle(sample=ModerationSample.objects.order_by("-pk").first(), actor=admin)
        render.refresh_from_db()
        if render.status != BundleRender.Status.DONE:
            raise SystemExit(f"The moderation bundle did not render: {render.status} {render.error}")
    record_sign_in_failure(email="learner@demo.waymark.test", address="192.0.2.10")


def _check() -> None:
    from django.core.management import call_command

    call_command("verify_audit", stdout=io.StringIO())
    call_command("verify_storage", stdout=io.StringIO())


def _write() -> None:
    import django
    import wagtail
    from django.apps import apps
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests.upgrades.snapshot import (
        EVIDENCE_DIR,
        FRAMEWORK_APPS,
        SNAPSHOT_DIR,
        models_by_table,
        project_app_labels,
        read_rows,
        write_json,
        write_rows,
    )

    executor = MigrationExecutor(connection)
    loader = executor.loader
    if executor.migration_plan(loader.graph.leaf_nodes()):
        raise SystemExit("Not every migration is applied.")
    leaves = {}
    for app, name in loader.graph.leaf_nodes():
        if app in leaves:
            raise SystemExit(f"{app} has two leaf migrations, {leaves[app]} and {name}: merge them first.")
        leaves[app] = name

    labels = [*project_app_labels(apps, BASE_DIR), *FRAMEWORK_APPS]
    models = [
        model
        for label in labels
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    tables = models_by_table(models)
    _check_closed(tables)
    existing = set(connection.introspection.table_names())
    entries = {}
    with connection.cursor() as cursor:
        for table, model in tables.items():
            if table not in existing:
                raise SystemExit(f"{model._meta.label} has no table {table} in the database.")
            columns = [field.column for field in model._meta.local_concrete_fields]
            in_database = [
                column.name for column in connection.introspection.get_table_description(cursor, table)
            ]
            if sorted(columns) != sorted(in_database):
                raise SystemExit(
                    f"{table}: the model's columns {columns} are not the database's {in_database}."
                )
            rows = read_rows(model, columns)
            entries[table] = {
                "model": model._meta.label_lower,
                "pk": model._meta.pk.column,
                "count": len(rows),
                "columns": columns,
                "rows": rows,
            }

    shutil.rmtree(SNAPSHOT_DIR, ignore_errors=True)
    SNAPSHOT_DIR.mkdir(parents=True)
    files = _copy_files(EVIDENCE_DIR)
    write_json("migrations.json", dict(sorted(leaves.items())))
    write_json("counts.json", {table: entry["count"] for table, entry in entries.items()})
    write_json("files.json", files)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"],  # noqa: S607 (the snapshot's provenance, from the PATH's git)
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    header = {
        "made_by": "tests/upgrades/make_seeded_snapshot.py",
        "seed_demo": SEED_DEMO_OPTIONS,
        "commit": commit,
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
        "time_zone": settings.TIME_ZONE,
    }
    rows = write_rows(SNAPSHOT_DIR / "rows", entries, header)

    total = sum(path.stat().st_size for path in SNAPSHOT_DIR.rglob("*") if path.is_file())
    row_count = sum(entry["count"] for entry in entries.values())
    evidence = sum(stored["size"] for stored in files.values())
    print(
        f"{SNAPSHOT_DIR.relative_to(BASE_DIR)}: {len(entries)} tables, {row_count} rows, {len(files)} files"
    )
    print(
        f"  {rows.name}: {rows.stat().st_size:,} bytes; evidence: {evidence:,} bytes; in all {total:,} bytes"
    )
    if total > SNAPSHOT_SIZE_WARNING:
        print("  That is a lot to commit: choose fewer or smaller files.")


def _check_closed(tables: dict) -> None:
    """Every row the snapshot holds must be loadable on its own: each foreign key and
    many-to-many table of its models points at a table it holds too."""
    for table, model in tables.items():
        for field in model._meta.get_fields(include_hidden=True):
            target = field.related_model if field.is_relation and field.concrete else None
            if target is not None and target._meta.db_table not in tables:
                raise SystemExit(
                    f"{table}.{field.column} points at {target._meta.db_table}, not in the snapshot."
                )
            if (
                field.many_to_many
                and field.concrete
                and field.remote_field.through._meta.db_table not in tables
            ):
                raise SystemExit(f"{table}.{field.name} goes through a table not in the snapshot.")


def _copy_files(into: Path) -> dict:
    """The evidence storage's files that rows refer to, under their storage names; a file
    that no row refers to means the data set is not what it should be."""
    from common.scoping import scopes_disabled
    from moderation.models import BundleRender
    from operations.management.commands.verify_storage import sha256_of, walk
    from portfolio.models import EvidenceFile, evidence_storage

    storage = evidence_storage()
    with scopes_disabled():
        names = set()
        for file, rendition in EvidenceFile.objects.values_list("file", "print_rendition"):
            names.update(name for name in (file, rendition) if name)
        for pdf, archive, parts in BundleRender.objects.values_list("pdf", "archive", "parts"):
            names.update(name for name in (pdf, archive, *(parts or [])) if name)
    stored = set(walk(storage))
    if stored != names:
        raise SystemExit(
            f"Files no row refers to: {sorted(stored - names)}; rows with no file: {sorted(names - stored)}"
        )
    files = {}
    for name in sorted(names):
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source:
            target.write_bytes(source.read())
        files[name] = {"sha256": sha256_of(storage, name), "size": target.stat().st_size}
    return files


if __name__ == "__main__":
    main()
