"""A database made with the migrations of the day the snapshot was taken and filled by
``seed_demo`` upgrades to today's layout with every row, file and audit link intact.

The snapshot (``snapshot/``, made by ``make_seeded_snapshot.py``; its format is in
``snapshot.py``) holds each app's leaf migration then, every row of Waymark's tables and of
the framework tables they depend on, and the evidence files those rows name. The test
migrates the test database back to those migrations (``MigrationExecutor``, as
django-test-migrations does; apps the snapshot's database did not have are unmigrated),
loads the rows as they were and the files into the evidence storage, runs ``migrate`` as an
operator would, and then checks that:

- ``verify_audit`` finds the trail intact and still reaching the snapshot's last record,
  and ``verify_storage`` finds every file present and unchanged, and no orphan;
- every row is still there, unchanged, counted per model (the snapshot's tables are found
  among today's models by their table, through ``RENAMED_TABLES``);
- every content type still names the same model, every object permission of
  django-guardian still resolves to its object, and so does every audit record's
  ``object_type`` and ``object_id``;
- rows that a migration folded into others (``FOLDINGS``) are found where their meaning
  went: each of the assessors' former grants is its enrolment's ``assessor``.

When models move between apps, fill in the maps below as the migrations rename tables.
Until then they are empty, the snapshot's migrations are today's, and the test checks the
loading and checking machinery itself. It runs on SQLite and on PostgreSQL alike.
"""

import datetime
import hashlib
import io
import os

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.executor import MigrationExecutor

from audit.models import current_label
from tests.upgrades.snapshot import (
    EVIDENCE_DIR,
    concrete_fields_by_column,
    load_json,
    load_rows,
    models_by_table,
    read_rows,
)

# A table a migration renamed: its name in the snapshot → its name now. Fill it in when a
# migration renames a table (a model moved to another app, for example
# "learners_evidenceitem": "portfolio_evidenceitem", and its many-to-many tables too).
RENAMED_TABLES: dict[str, str] = {
    # Issue 14: evidence to portfolio, networking records (and the centre's prompt) to
    # networking, decisions and sign-offs to assessment, sampling and IQA to iqa.
    **{
        f"learners_{model}": f"portfolio_{model}"
        for model in (
            "evidenceitem",
            "evidencefile",
            "evidencemapping",
            "evidenceversion",
            "evidenceversion_files",
        )
    },
    **{
        f"learners_{model}": f"networking_{model}"
        for model in (
            "networkcontact",
            "contactinteraction",
            "networkingguidelines",
            "networkreview",
            "networkreviewentry",
        )
    },
    "centre_networkingprompt": "networking_networkingprompt",
    **{
        f"moderation_{model}": f"assessment_{model}"
        for model in ("criteriondecision", "criteriondecision_evidence", "unitsignoff")
    },
    **{
        f"moderation_{model}": f"iqa_{model}"
        for model in ("samplingplan", "assessorrisk", "iqasample", "iqaaction")
    },
}
# A column a migration renamed: (table in the snapshot, column there) → the column now.
RENAMED_COLUMNS: dict[tuple[str, str], str] = {}
# A model's former label (app_label.model, as content types and audit records name it) →
# its label now, for a model whose table does not tell (the snapshot knows each model
# that has a table, and finds it again through RENAMED_TABLES; a proxy model has none).
FORMER_MODEL_LABELS: dict[str, str] = {}
# Columns whose values migrating is meant to change; they are checked otherwise (a content
# type by the model it names now).
CHANGED_BY_MIGRATING = {"django_content_type": {"app_label", "model"}}
# Tables that gain rows when migrate runs: the content types and permissions of models the
# snapshot's database did not have (new models, the test suite's own app).
MAY_GAIN_ROWS = {"django_content_type", "auth_permission"}
# Models that exist on one database only (Wagtail's SQLite full-text index): elsewhere their
# content types, made where the snapshot was, name no model, as on any such database.
ONE_DATABASE_MODELS = {"wagtailsearch.sqliteftsindexentry": "sqlite"}
# Rows that a migration folded into others: FOLDINGS, with the checks below.
# Files older than verify_storage's grace for uploads in progress, so that an orphan shows.
FILES_WRITTEN_AGO = datetime.timedelta(hours=2)


@pytest.fixture
def evidence_storage(settings):
    """The test settings' evidence storage, without what other tests left (their rows are
    gone, so every file of theirs would be an orphan), before and after."""
    import shutil

    shutil.rmtree(settings.EVIDENCE_ROOT, ignore_errors=True)
    yield storages["evidence"]
    shutil.rmtree(settings.EVIDENCE_ROOT, ignore_errors=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_seeded_database_upgrades_with_every_row_file_and_audit_link_intact(evidence_storage):
    snapshot = load_rows()["tables"]
    files = load_json("files.json")
    content_types = suite_content_types()
    try:
        snapshot_apps = migrate_to(load_json("migrations.json"))
        load(snapshot, snapshot_apps)
        store(files, evidence_storage)
        call_command("migrate", verbosity=0)
        ContentType.objects.clear_cache()

        assert_audit_trail_intact(snapshot)
        assert_files_intact(files, evidence_storage)
        folded = assert_folded_rows_went_where_they_meant(snapshot)
        now = models_now(snapshot, folded)
        assert_rows_intact(snapshot, now, folded)
        assert_content_types_name_the_same_models(snapshot, now)
        assert_object_permissions_resolve()
        assert_audit_objects_resolve(snapshot, now)
        assert_pages_resolve()
        if connection.vendor == "postgresql":
            assert_sequences_continue(snapshot, now)
    finally:
        back_to_the_latest_migrations(content_types)


# --- Getting there -----------------------------------------------------------------------


def migrate_to(leaves: dict[str, str]):
    """The test database at the snapshot's migrations; the historical models then."""
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    gone = sorted(f"{app}.{name}" for app, name in leaves.items() if (app, name) not in graph.nodes)
    assert not gone, (
        f"The snapshot's migrations {gone} are no longer in the project (squashed or removed?): "
        "a database made then could not be upgraded."
    )
    targets = [(app, leaves.get(app)) for app in sorted({app for app, _ in graph.leaf_nodes()})]
    executor.migrate(targets)
    return executor.loader.project_state([(app, name) for app, name in targets if name]).apps


def load(snapshot: dict, snapshot_apps) -> None:
    """Every table of the historical state emptied, then the snapshot's rows inserted as
    they were, primary keys and all, with foreign keys checked once all are in: SQLite's
    checks off meanwhile, PostgreSQL's deferred to the end of the transaction (Django makes
    them deferrable), then checked. PostgreSQL's sequences are then moved past the keys."""
    tables_then = models_by_table(snapshot_apps.get_models(include_auto_created=True))
    unowned = sorted(set(snapshot) - set(tables_then))
    assert not unowned, f"No model owns the snapshot's tables {unowned} at the snapshot's migrations."
    existing = set(connection.introspection.table_names())
    emptied = sorted(table for table in tables_then if table in existing)
    with connection.constraint_checks_disabled(), transaction.atomic():
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), emptied, allow_cascade=True))
        with connection.cursor() as cursor:
            for table, entry in snapshot.items():
                fields = concrete_fields_by_column(tables_then[table])
                columns = entry["columns"]
                assert set(columns) <= set(fields), (
                    f"{table}: columns {set(columns) - set(fields)} unknown then."
                )
                quote = connection.ops.quote_name
                cursor.executemany(
                    f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "  # noqa: S608 (names from the models)
                    f"VALUES ({', '.join(['%s'] * len(columns))})",
                    [
                        [
                            fields[column].get_db_prep_save(fields[column].to_python(value), connection)
                            for column, value in zip(columns, row, strict=True)
                        ]
                        for row in entry["rows"]
                    ],
                )
        connection.check_constraints(table_names=sorted(snapshot))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(
                no_style(), [tables_then[t] for t in snapshot]
            ):
                cursor.execute(statement)
    # Content types are cached by label with their keys: the snapshot's keys are not the test
    # database's.
    ContentType.objects.clear_cache()


def store(files: dict, storage) -> None:
    """The snapshot's files into the evidence storage under their own names, dated before
    verify_storage's grace for uploads still in progress."""
    written = (datetime.datetime.now(tz=datetime.UTC) - FILES_WRITTEN_AGO).timestamp()
    for name in files:
        assert storage.save(name, ContentFile((EVIDENCE_DIR / name).read_bytes())) == name
        os.utime(storage.path(name), (written, written))


def suite_content_types() -> dict:
    """The content types of the test database as the rest of the suite knows them: Django
    caches them by label and key, and the tests after this one restore the database's
    data with those keys (serialized rollback)."""
    ContentType.objects.get_for_models(*apps.get_models(include_auto_created=True), for_concrete_models=False)
    return {alias: dict(cached) for alias, cached in ContentType.objects._cache.items()}


def back_to_the_latest_migrations(content_types: dict) -> None:
    """Whatever happened, the schema the rest of the suite expects; no cached site, and the
    suite's own content types cached again, not the snapshot's. (An empty cache would not
    do: restoring the suite's data saves rows whose signals look content types up, and
    would make them anew, under keys that the restored content types then collide with.)"""
    cache.clear()
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", verbosity=0)
    ContentType.objects.clear_cache()
    ContentType.objects._cache.update(content_types)


# --- What the snapshot's tables and models are now ---------------------------------------


def models_now(snapshot: dict, folded: dict[str, set]) -> dict[str, type]:
    """Each of the snapshot's tables → the model that owns it (or its renamed table) now;
    a table whose every row was folded into another's has none."""
    tables_now = models_by_table(apps.get_models(include_auto_created=True))
    found, vanished = {}, []
    for table in snapshot:
        model = tables_now.get(RENAMED_TABLES.get(table, table))
        if model is None and table in folded and len(folded[table]) == snapshot[table]["count"]:
            found[table] = None
            continue
        if model is None:
            vanished.append(
                table if table not in RENAMED_TABLES else f"{table} (renamed {RENAMED_TABLES[table]})"
            )
        found[table] = model
    assert not vanished, (
        f"No model owns the snapshot's tables {vanished} after migrating: if a migration renamed "
        "them, say so in RENAMED_TABLES; if their rows went elsewhere, this test must say where."
    )
    return found


def model_now(label: str, snapshot: dict, now: dict[str, type]) -> type | None:
    """The model that a label of the snapshot's time (``app_label.model``, as a content type
    or an audit record's ``object_type`` names it) is now: FORMER_MODEL_LABELS first, then
    the table the snapshot saw that model own, then the label as it stands."""
    if label in FORMER_MODEL_LABELS:
        return apps.get_model(FORMER_MODEL_LABELS[label])
    for table, entry in snapshot.items():
        if entry["model"] == label:
            return now[table]
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def model_for_audit_object_type(object_type: str, snapshot: dict, now: dict[str, type]) -> type | None:
    """The model an audit record's ``object_type`` names. Records are never rewritten, so
    those written before a model moved keep its former label (``label_lower`` of the model
    then); ``model_now`` knows those."""
    return model_now(object_type, snapshot, now)


# --- The checks --------------------------------------------------------------------------


def assert_audit_trail_intact(snapshot: dict) -> None:
    entry = snapshot["audit_auditrecord"]
    sequence, hash_ = entry["columns"].index("sequence"), entry["columns"].index("hash")
    last = max(entry["rows"], key=lambda row: row[sequence])
    out = io.StringIO()
    call_command("verify_audit", anchor=f"{last[sequence]}:{last[hash_]}", stdout=out)
    assert out.getvalue().splitlines()[0] == f"Audit trail intact: {entry['count']} records."


def assert_files_intact(files: dict, storage) -> None:
    out = io.StringIO()
    call_command("verify_storage", stdout=out)
    # Every file the rows name, checked; none missing, changed or unknown to the rows.
    assert out.getvalue() == f"Checked {len(files)} files: all present and unchanged.\n"
    # Bundles' files are checked for presence alone there; here for their bytes too.
    assert {name: sha256(storage, name) for name in files} == {
        name: stored["sha256"] for name, stored in files.items()
    }


def sha256(storage, name: str) -> str:
    with storage.open(name, "rb") as stored:
        return hashlib.file_digest(stored, "sha256").hexdigest()


def assert_rows_intact(snapshot: dict, now: dict[str, type], folded: dict[str, set]) -> None:
    """Every row of the snapshot, in the model that owns its table now, with the same
    values in every column; and no more rows than there were (bar MAY_GAIN_ROWS). Rows
    folded into others (``FOLDINGS``) are checked there instead."""
    counts_then, counts_now, problems = {}, {}, []
    for table, entry in snapshot.items():
        model = now[table]
        if model is None:
            continue
        label = model._meta.label_lower
        folded_keys = folded.get(table, set())
        counts_then[label] = entry["count"] - len(folded_keys)
        counts_now[label] = model._base_manager.count()
        if table in MAY_GAIN_ROWS and counts_now[label] > entry["count"]:
            counts_now[label] = f"{entry['count']} and more"
            counts_then[label] = f"{entry['count']} and more"
        fields_now = concrete_fields_by_column(model)
        skipped = CHANGED_BY_MIGRATING.get(table, set())
        compared = [
            (index, RENAMED_COLUMNS.get((table, column), column))
            for index, column in enumerate(entry["columns"])
            if column not in skipped
        ]
        gone = [column for _, column in compared if column not in fields_now]
        if gone:
            problems.append(f"{table} → {label}: no column {gone} now (renamed? say so in RENAMED_COLUMNS)")
            continue
        pk_then = entry["columns"].index(entry["pk"])
        pk_at = [index for index, _ in compared].index(pk_then)
        rows_now = {row[pk_at]: row for row in read_rows(model, [column for _, column in compared])}
        for row in entry["rows"]:
            if row[pk_then] in folded_keys:
                if row[pk_then] in rows_now:
                    problems.append(f"{label} {row[pk_then]}: folded into another, yet still here")
                continue
            then = [row[index] for index, _ in compared]
            found = rows_now.get(row[pk_then])
            if found is None:
                problems.append(f"{label} {row[pk_then]}: missing")
            elif found != then:
                changed = [
                    f"{column}: {before!r} → {after!r}"
                    for (_, column), before, after in zip(compared, then, found, strict=True)
                    if before != after
                ]
                problems.append(f"{label} {row[pk_then]}: {'; '.join(changed)}")
    assert counts_now == counts_then
    assert not problems, "\n".join(problems[:20])


def snapshot_rows(snapshot: dict, table: str) -> list[dict]:
    entry = snapshot[table]
    return [dict(zip(entry["columns"], row, strict=True)) for row in entry["rows"]]


def assess_grants_became_allocations(snapshot: dict) -> dict[str, set]:
    """Issue 14 (learners 0009): django-guardian's ``assess_enrolment`` grants were copies
    of ``Enrolment.assessor``, kept in step by hand; the allocation is that column alone
    now, and the right to assess is read from it. Every former grant must be its
    enrolment's assessor now (so whoever could assess it still can); the grants, and the
    permission they granted, are gone."""
    from learners.models import Enrolment
    from learners.policies import ASSESS, enrolment_policy

    content_types = {
        row["id"]: (row["app_label"], row["model"]) for row in snapshot_rows(snapshot, "django_content_type")
    }
    permissions = {
        row["id"]
        for row in snapshot_rows(snapshot, "auth_permission")
        if row["codename"] == "assess_enrolment"
        and content_types[row["content_type_id"]] == ("learners", "enrolment")
    }
    grants = snapshot_rows(snapshot, "learners_enrolmentuserobjectpermission")
    assert grants, "The snapshot holds no assessors' grants to check."
    enrolments = Enrolment._base_manager.in_bulk([grant["content_object_id"] for grant in grants])
    wrong = []
    for grant in grants:
        enrolment = enrolments.get(grant["content_object_id"])
        if grant["permission_id"] not in permissions:
            wrong.append(f"grant {grant['id']}: of permission {grant['permission_id']}, not assess_enrolment")
        elif enrolment is None:
            wrong.append(f"grant {grant['id']}: enrolment {grant['content_object_id']} is gone")
        elif enrolment.assessor_id != grant["user_id"]:
            wrong.append(
                f"grant {grant['id']}: user {grant['user_id']} could assess enrolment {enrolment.pk}; "
                f"its assessor is now {enrolment.assessor_id}"
            )
        elif not enrolment_policy.user_has_permission_for_instance(enrolment.assessor, ASSESS, enrolment):
            wrong.append(f"grant {grant['id']}: the assessor of enrolment {enrolment.pk} may not assess it")
    assert not wrong, "\n".join(wrong)
    Permission = apps.get_model("auth", "Permission")
    assert not Permission.objects.filter(pk__in=permissions).exists(), (
        "assess_enrolment is still a permission"
    )
    return {
        "learners_enrolmentuserobjectpermission": {grant["id"] for grant in grants},
        "auth_permission": permissions,
    }


# Rows that a migration folded into others, each a check: given the snapshot, it asserts
# that what the rows meant is where it went now, and returns their keys by table (they
# are not looked for again).
FOLDINGS = [assess_grants_became_allocations]


def assert_folded_rows_went_where_they_meant(snapshot: dict) -> dict[str, set]:
    folded: dict[str, set] = {}
    for folding in FOLDINGS:
        for table, keys in folding(snapshot).items():
            folded.setdefault(table, set()).update(keys)
    return folded


def assert_content_types_name_the_same_models(snapshot: dict, now: dict[str, type]) -> None:
    entry = snapshot["django_content_type"]
    key, app_label, model = (entry["columns"].index(column) for column in ("id", "app_label", "model"))
    folded_away = {snapshot[table]["model"] for table, found in now.items() if found is None}
    wrong = []
    for row in entry["rows"]:
        label = f"{row[app_label]}.{row[model]}"
        expected = model_now(label, snapshot, now)
        found = ContentType.objects.get(pk=row[key]).model_class()
        if found is expected is None and (
            label in folded_away or ONE_DATABASE_MODELS.get(label, connection.vendor) != connection.vendor
        ):
            continue
        if expected is None or found is not expected:
            wrong.append(f"content type {row[key]} ({label}): names {found}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def assert_object_permissions_resolve() -> None:
    """django-guardian's object permissions, generic (content type and key) and direct
    (a foreign key to the object): each names a permission of its object's model, the
    object exists, and guardian grants it."""
    from guardian.core import ObjectPermissionChecker
    from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

    checked, wrong = 0, []
    for permission_model in apps.get_models():
        if not issubclass(permission_model, UserObjectPermissionBase | GroupObjectPermissionBase):
            continue
        holder = "user" if issubclass(permission_model, UserObjectPermissionBase) else "group"
        generic = not isinstance(permission_model._meta.get_field("content_object"), models.ForeignKey)
        rows = permission_model._base_manager.select_related("permission__content_type", holder)
        for row in rows:
            checked += 1
            where = f"{permission_model._meta.label} {row.pk}"
            if generic:
                model = row.content_type.model_class()
                if model is None:
                    wrong.append(f"{where}: its content type {row.content_type_id} names no model")
                    continue
                target = model._base_manager.filter(pk=row.object_pk).first()
            else:
                model = permission_model._meta.get_field("content_object").related_model
                target = row.content_object
            if target is None:
                wrong.append(f"{where}: its object is gone")
                continue
            if row.permission.content_type.model_class() is not model:
                wrong.append(f"{where}: {row.permission.codename} is a permission of another model")
            elif not ObjectPermissionChecker(getattr(row, holder)).has_perm(row.permission.codename, target):
                wrong.append(f"{where}: guardian no longer grants {row.permission.codename}")
    assert checked, "The snapshot holds no object permissions to check."
    assert not wrong, "\n".join(wrong)


def assert_audit_objects_resolve(snapshot: dict, now: dict[str, type]) -> None:
    """Every audit record names a model that exists, and an object that exists, if it did
    when the snapshot was taken."""
    keys_then = {}
    for entry in snapshot.values():
        pk = entry["columns"].index(entry["pk"])
        keys_then[entry["model"]] = {str(row[pk]) for row in entry["rows"]}
    entry = snapshot["audit_auditrecord"]
    object_type, object_id = entry["columns"].index("object_type"), entry["columns"].index("object_id")
    wanted, wrong = {}, []
    for row in entry["rows"]:
        if not row[object_type]:
            continue
        model = model_for_audit_object_type(row[object_type], snapshot, now)
        if model is None:
            wrong.append(f"object_type {row[object_type]!r}: no model of that label now")
        elif model._meta.label_lower != current_label(row[object_type]):
            # What the application reads a former label as must be the model it was then.
            read_as = current_label(row[object_type])
            wrong.append(f"object_type {row[object_type]!r}: FORMER_LABELS reads it as {read_as}")
        elif row[object_id] in keys_then.get(row[object_type], {row[object_id]}):
            wanted.setdefault(model, set()).add(row[object_id])
    assert wanted, "The snapshot's audit trail names no objects to check."
    for model, keys in wanted.items():
        found = {str(pk) for pk in model._base_manager.filter(pk__in=keys).values_list("pk", flat=True)}
        wrong.extend(
            f"{model._meta.label} {key}: named by the audit trail, gone" for key in sorted(keys - found)
        )
    assert not wrong, "\n".join(wrong)


def assert_pages_resolve() -> None:
    """Wagtail finds each page's own model through its content type."""
    from wagtail.models import Page

    pages = list(Page.objects.all())
    assert pages
    for page in pages:
        assert page.specific_class is not None, f"page {page.pk}: its content type names no model"
        assert type(page.specific) is page.specific_class


def assert_sequences_continue(snapshot: dict, now: dict[str, type]) -> None:
    """On PostgreSQL a renamed table must keep its sequence: the next key after the rows."""
    behind = []
    with connection.cursor() as cursor:
        for table in snapshot:
            model = now[table]
            if model is None:  # folded into another table's rows
                continue
            pk = model._meta.pk
            if not isinstance(pk, models.AutoField) or pk.model is not model:
                continue
            table_now = model._meta.db_table
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table_now, pk.column])
            (sequence,) = cursor.fetchone()
            if sequence is None:
                behind.append(f"{table_now}: no sequence")
                continue
            cursor.execute(f"SELECT last_value FROM {sequence}")  # noqa: S608 (PostgreSQL's own name)
            (last,) = cursor.fetchone()
            highest = model._base_manager.aggregate(highest=models.Max("pk"))["highest"] or 0
            if last < highest:
                behind.append(f"{table_now}: sequence at {last}, rows up to {highest}")
    assert not behind, "\n".join(behind)
