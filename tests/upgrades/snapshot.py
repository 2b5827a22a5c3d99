"""The seeded snapshot's format, shared by the script that writes it
(``make_seeded_snapshot.py``) and the test that loads it into an older schema and migrates
it forward (``test_upgrade_from_seeded_snapshot.py``).

The snapshot folder holds:

- ``migrations.json``: each app's leaf migration when the snapshot was made;
- ``rows.json`` (``rows.json.gz`` when it would be over ``GZIP_OVER`` bytes): every row of
  every table of Waymark's apps and of the framework tables they depend on, as table →
  model label, primary key column, columns and rows, one row a line, rows in key order;
- ``counts.json``: each table's row count, to read and diff at a glance;
- ``files.json`` and ``evidence/``: the evidence storage's files the rows refer to, under
  their storage names, with each one's SHA-256 and size.

Values are as each column's field reads them, written in one spelling whatever the
database: a timestamp in ISO 8601 with its UTC offset, a date in ISO 8601, a UUID with its
hyphens, a decimal as text, a JSON column as the JSON it holds. Read back, each goes through
the field of the model that owns the table (``to_python``, then ``get_db_prep_save``), so a
snapshot made on SQLite loads on PostgreSQL as well.
"""

import datetime
import decimal
import gzip
import json
import uuid
from pathlib import Path

SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshot"
EVIDENCE_DIR = SNAPSHOT_DIR / "evidence"
GZIP_OVER = 1024 * 1024
FORMAT = 1

# The framework tables Waymark's rows depend on (their users' groups and permissions, the
# content types of object permissions and pages, the catalogue's pages and their revisions,
# and django-guardian's own object permissions). Sessions, tasks, one-time-password devices
# and Wagtail's search index are left out: nothing the reshape moves refers to them.
FRAMEWORK_APPS = ("auth", "contenttypes", "guardian", "wagtailcore")


def project_app_labels(app_registry, base_dir: Path) -> list[str]:
    """Waymark's own apps: those in the repository, bar the test suite's and anything
    installed into a virtual environment inside it."""
    base_dir, tests = base_dir.resolve(), (base_dir / "tests").resolve()
    labels = []
    for config in app_registry.get_app_configs():
        path = Path(config.path).resolve()
        if (
            path.is_relative_to(base_dir)
            and not path.is_relative_to(tests)
            and "site-packages" not in path.parts
        ):
            labels.append(config.label)
    return labels


def models_by_table(models) -> dict[str, type]:
    """Each concrete model's table, auto-created many-to-many tables included. Proxy and
    unmanaged models own no table of their own."""
    tables = {}
    for model in models:
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        if meta.db_table in tables:
            raise ValueError(
                f"Two models share the table {meta.db_table}: {tables[meta.db_table]} and {model}."
            )
        tables[meta.db_table] = model
    return tables


def concrete_fields_by_column(model) -> dict[str, object]:
    return {field.column: field for field in model._meta.local_concrete_fields}


def encode(value, *, where: str):
    """A value as the field read it, in the snapshot's spelling (see the module's doc)."""
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError(f"{where}: a timestamp without its time zone: {value!r}")
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    raise TypeError(f"{where}: the snapshot has no spelling for {type(value).__name__} values.")


def read_rows(model, columns: list[str]) -> list[list]:
    """Every row of the model's table, in key order, the given columns only, each value
    encoded. The base manager, not ``objects``: the centre scoping does not apply to a
    copy of the whole database."""
    fields = concrete_fields_by_column(model)
    attnames = [fields[column].attname for column in columns]
    table = model._meta.db_table
    rows = model._base_manager.order_by("pk").values_list(*attnames)
    return [
        [encode(value, where=f"{table}.{column}") for column, value in zip(columns, row, strict=True)]
        for row in rows
    ]


def write_rows(path_without_suffix: Path, tables: dict, header: dict) -> Path:
    """rows.json, one table row a line so that a change to the data diffs as the rows it
    changes; gzipped (with no timestamp, so the same data writes the same bytes) when big."""
    lines = ["{", f'"format": {FORMAT},', f'"header": {_dumps(header)},', '"tables": {']
    for n, (table, entry) in enumerate(sorted(tables.items())):
        lines.append(f"{_dumps(table)}: {{")
        for key in ("model", "pk", "count", "columns"):
            lines.append(f"  {_dumps(key)}: {_dumps(entry[key])},")
        lines.append('  "rows": [')
        lines.extend(
            f"    {_dumps(row)}{',' if i < len(entry['rows']) - 1 else ''}"
            for i, row in enumerate(entry["rows"])
        )
        lines.append("  ]")
        lines.append("}" + ("," if n < len(tables) - 1 else ""))
    lines += ["}", "}", ""]
    text = "\n".join(lines).encode()
    plain, zipped = path_without_suffix.with_suffix(".json"), path_without_suffix.with_suffix(".json.gz")
    plain.unlink(missing_ok=True)
    zipped.unlink(missing_ok=True)
    if len(text) > GZIP_OVER:
        zipped.write_bytes(gzip.compress(text, mtime=0))
        return zipped
    plain.write_bytes(text)
    return plain


def load_rows() -> dict:
    zipped, plain = SNAPSHOT_DIR / "rows.json.gz", SNAPSHOT_DIR / "rows.json"
    data = json.loads(gzip.decompress(zipped.read_bytes()) if zipped.exists() else plain.read_bytes())
    if data["format"] != FORMAT:
        raise ValueError(f"The snapshot is in format {data['format']}; this code reads format {FORMAT}.")
    return data


def load_json(name: str):
    return json.loads((SNAPSHOT_DIR / name).read_text())


def write_json(name: str, value) -> None:
    (SNAPSHOT_DIR / name).write_text(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
