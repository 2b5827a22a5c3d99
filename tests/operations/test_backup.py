"""Backups are only worth what a restore gets back: these make a real backup, restore it
into an empty database and a new folder, and check what comes back; and they check that
verify_storage notices a stored file that has gone or changed."""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import uuid
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from audit.models import AuditRecord
from centre.models import Role
from centre.services import set_offered_units
from common.scoping import centre_scope, scopes_disabled
from learners.services import allocate_assessor
from moderation.models import BundleRender, ModerationSample
from operations.management.commands.backup import Command as BackupCommand
from portfolio.models import EvidenceFile, evidence_storage
from portfolio.services import add_evidence_files
from tests.factories import (
    EnrolmentFactory,
    EvidenceItemFactory,
    LearnerFactory,
    MembershipFactory,
    submitted_evidence,
)
from tests.factories.moderation import png, upload

LEARNER_NAMES = ("Ada", "Lovelace")


def enrol(centre, unit, *, first_name="Ada", last_name="Lovelace"):
    """A learner of ``centre`` on ``unit`` with an allocated assessor."""
    set_offered_units(centre=centre, urns=[unit.urn])
    user = MembershipFactory(centre=centre, role=Role.LEARNER).user
    assessor = MembershipFactory(centre=centre, role=Role.ASSESSOR).user
    learner = LearnerFactory(centre=centre, user=user, first_name=first_name, last_name=last_name)
    enrolment = EnrolmentFactory(learner=learner, unit=unit)
    with centre_scope(centre):
        allocate_assessor(enrolment=enrolment, assessor=assessor)
    return enrolment


@pytest.fixture
def evidence_file(centre_a, seed_unit) -> EvidenceFile:
    """The PDF of a submitted evidence item of Ada Lovelace's, at centre A."""
    enrolment = enrol(centre_a, seed_unit)
    with centre_scope(centre_a):
        item = submitted_evidence(enrolment)
        return item.files.select_related("centre").get()


def stored_path(name: str) -> Path:
    return Path(evidence_storage().path(name))


def verify(*args) -> tuple[str, str | None]:
    """verify_storage's output, and its error if it failed (which exits with status 1)."""
    out = io.StringIO()
    try:
        call_command("verify_storage", *args, stdout=out)
    except CommandError as error:
        assert error.returncode == 1
        return out.getvalue(), str(error)
    return out.getvalue(), None


# Transactional, because pg_dump and SQLite's backup read the database from connections of
# their own, which cannot see a test's uncommitted transaction; serialized rollback so that
# the flush afterwards leaves the migrations' data for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_into_an_empty_database_and_its_files_verify(
    evidence_file, centre_a, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "images").mkdir(parents=True)
    (settings.MEDIA_ROOT / "images" / "logo.png").write_bytes(png())
    with scopes_disabled():
        audit_records = AuditRecord.objects.count()
    assert audit_records > 0

    out = io.StringIO()
    call_command("backup", tmp_path / "backups", stdout=out)

    (backup,) = (tmp_path / "backups").iterdir()
    assert str(backup) in out.getvalue()
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"] == connection.vendor
    assert manifest["folders"] == {"evidence": str(settings.EVIDENCE_ROOT), "media": str(settings.MEDIA_ROOT)}
    for part in manifest["parts"]:
        content = (backup / part["name"]).read_bytes()
        assert (part["size"], part["sha256"]) == (len(content), hashlib.sha256(content).hexdigest())

    if connection.vendor == "postgresql":
        restored = restore_postgresql(backup / "database.dump")
    else:
        restored = restore_sqlite(backup / "database.sqlite3", tmp_path)
    assert restored == ([(evidence_file.pk, evidence_file.sha256, evidence_file.size)], audit_records)

    unpacked = tmp_path / "unpacked"
    with tarfile.open(backup / "files.tar.gz") as archive:
        archive.extractall(unpacked, filter="data")
    assert (unpacked / "media" / "images" / "logo.png").read_bytes() == png()
    restored_storage = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": unpacked / "evidence", "base_url": None},
        },
    }
    with override_settings(STORAGES=restored_storage):
        assert stored_path(evidence_file.file.name).is_relative_to(unpacked)
        assert verify() == ("Checked 1 file: all present and unchanged.\n", None)


def test_a_restored_backup_keeps_evidence_to_waymarks_user_and_media_readable_by_nginx(
    evidence_file, tmp_path, settings
):
    """Unpacked as the README says, under the usual umask 022: each part's files and
    folders have their storage's modes, not the umask's (evidence 0644 and its folders
    0755 would be readable by every user of the machine)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "images").mkdir(parents=True)
    (settings.MEDIA_ROOT / "images" / "logo.png").write_bytes(png())
    archive_path, _ = BackupCommand()._archive_files(tmp_path / "files.tar.gz")

    unpacked, umask = tmp_path / "unpacked", os.umask(0o022)
    try:
        with tarfile.open(archive_path) as archive:
            # As tar -p does; the "data" filter would leave folders to the umask.
            archive.extractall(unpacked, filter="tar")
    finally:
        os.umask(umask)

    def mode(path: Path) -> int:
        return path.stat().st_mode & 0o777

    evidence = unpacked / "evidence" / evidence_file.file.name
    assert mode(evidence) == 0o600
    folders = [folder for folder in evidence.parents if folder.is_relative_to(unpacked / "evidence")]
    assert len(folders) > 1 and {mode(folder) for folder in folders} == {0o700}
    assert mode(unpacked / "media" / "images" / "logo.png") == 0o644
    assert mode(unpacked / "media") == mode(unpacked / "media" / "images") == 0o755


def test_a_backup_that_fails_part_way_leaves_nothing_behind(db, tmp_path, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(BackupCommand, "_archive_files", disk_full)
    with pytest.raises(OSError, match="No space left"):
        call_command("backup", tmp_path)
    assert list(tmp_path.iterdir()) == []


def restore_sqlite(dump: Path, tmp_path: Path):
    """Restored as the README says, into a new database file; then its rows."""
    target = tmp_path / "restored.sqlite3"
    subprocess.run([shutil.which("sqlite3"), target, f".restore {dump}"], check=True)
    with closing(sqlite3.connect(target)) as restored:
        return restored_rows(restored.cursor())


def restore_postgresql(dump: Path):
    """Restored as the README says, into a new, empty database (dropped afterwards); then
    its rows."""
    server = connection.settings_dict
    login = {
        "host": server["HOST"] or None,
        "port": server["PORT"] or None,
        "user": server["USER"] or None,
        "password": server["PASSWORD"] or None,
    }
    name = f"waymark_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **login) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            given = {"PGHOST": "host", "PGPORT": "port", "PGUSER": "user", "PGPASSWORD": "password"}
            env = {**os.environ, **{var: str(login[key]) for var, key in given.items() if login[key]}}
            subprocess.run(
                [shutil.which("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={name}", dump],
                env=env,
                check=True,
            )
            with psycopg.connect(dbname=name, **login) as restored:
                return restored_rows(restored.cursor())
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restored_rows(cursor):
    """The restored evidence files (key, hash and size) and how many audit records came back."""
    cursor.execute("SELECT id, sha256, size FROM portfolio_evidencefile ORDER BY id")
    evidence_files = [tuple(row) for row in cursor.fetchall()]
    cursor.execute("SELECT count(*) FROM audit_auditrecord")
    (audit_records,) = cursor.fetchone()
    return evidence_files, audit_records


@pytest.fixture
def photo(evidence_file, centre_a) -> EvidenceFile:
    """A photograph in a draft of the same learner's, stored with its print rendition."""
    with centre_scope(centre_a):
        item = EvidenceItemFactory(learner=evidence_file.item.learner)
        add_evidence_files(item=item, actor=None, uploads=[upload("photo.png", png(), "image/png")])
        return item.files.get()


@pytest.fixture
def bundle(centre_a, seed_unit) -> BundleRender:
    """A finished moderation bundle of centre A, its PDF and ZIP in the evidence storage."""
    storage = evidence_storage()
    folder = f"bundles/centre-{centre_a.pk}/{uuid.uuid4().hex}"
    with centre_scope(centre_a):
        sample = ModerationSample.objects.create(centre=centre_a, unit=seed_unit, created_at=timezone.now())
        return BundleRender.objects.create(
            centre=centre_a,
            sample=sample,
            fingerprint="f" * 64,
            requested_at=timezone.now(),
            status=BundleRender.Status.DONE,
            pdf=storage.save(f"{folder}/bundle.pdf", ContentFile(b"%PDF-1.4 the bundle")),
            archive=storage.save(f"{folder}/evidence.zip", ContentFile(b"PK the evidence")),
        )


def test_verify_storage_passes_when_every_file_is_present_and_unchanged(evidence_file, photo, bundle):
    assert photo.print_rendition
    # The PDF; the photograph and its print rendition; the bundle's PDF and ZIP.
    assert verify() == ("Checked 5 files: all present and unchanged.\n", None)


def test_a_missing_evidence_file_is_reported_without_the_learners_name(evidence_file):
    stored_path(evidence_file.file.name).unlink()

    output, error = verify()

    assert output == f"EvidenceFile {evidence_file.pk} (centre 10001), {evidence_file.file.name}: missing\n"
    assert error == "Checked 1 file: 1 problem."
    assert not any(name in output + error for name in LEARNER_NAMES)


def test_a_changed_byte_is_reported_with_both_hashes(evidence_file):
    path = stored_path(evidence_file.file.name)
    content = path.read_bytes()
    changed = content[:-2] + bytes([content[-2] ^ 1]) + content[-1:]
    path.write_bytes(changed)

    output, error = verify()

    found = hashlib.sha256(changed).hexdigest()
    assert output == (
        f"EvidenceFile {evidence_file.pk} (centre 10001), {evidence_file.file.name}: "
        f"changed: expected {evidence_file.sha256}, found {found}\n"
    )
    assert error == "Checked 1 file: 1 problem."
    assert not any(name in output + error for name in LEARNER_NAMES)


def test_a_missing_print_rendition_and_bundle_file_are_reported(evidence_file, photo, bundle):
    stored_path(photo.print_rendition.name).unlink()
    stored_path(bundle.archive).unlink()

    output, error = verify()

    assert output.splitlines() == [
        f"EvidenceFile {photo.pk} (centre 10001) print rendition, {photo.print_rendition.name}: missing",
        f"BundleRender {bundle.pk} (centre 10001), {bundle.archive}: missing",
    ]
    assert error == "Checked 5 files: 2 problems."


def test_centre_limits_the_check_to_that_centres_files(evidence_file, centre_b, seed_unit):
    enrolment = enrol(centre_b, seed_unit, first_name="Grace", last_name="Hopper")
    with centre_scope(centre_b):
        other = submitted_evidence(enrolment).files.get()
    stored_path(other.file.name).unlink()

    assert verify("--centre", "10001") == ("Checked 1 file: all present and unchanged.\n", None)
    output, error = verify()
    assert output == f"EvidenceFile {other.pk} (centre 20002), {other.file.name}: missing\n"
    assert error == "Checked 2 files: 1 problem."
    assert verify("--centre", "30003") == ("", "There is no centre with the number '30003'.")


@pytest.fixture
def empty_storage(settings):
    """An evidence storage without the files other tests left (their records are rolled
    back, so every one of them is an orphan), before and after. Ask for it before the
    fixtures that store."""
    shutil.rmtree(settings.EVIDENCE_ROOT, ignore_errors=True)
    yield
    shutil.rmtree(settings.EVIDENCE_ROOT, ignore_errors=True)


def stray(name: str, *, hours_old: float = 2) -> str:
    """A file put straight into the evidence storage, which no record knows, last written
    ``hours_old`` hours ago."""
    path = stored_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 left behind")
    written = timezone.now().timestamp() - hours_old * 3600
    os.utime(path, (written, written))
    return name


def test_files_no_record_knows_are_reported_as_orphans_and_kept(
    empty_storage, evidence_file, photo, bundle, centre_a
):
    orphans = [
        stray(f"centre-{centre_a.pk}/{uuid.uuid4().hex}.pdf"),
        stray(f"bundles/centre-{centre_a.pk}/{uuid.uuid4().hex}/bundle.pdf"),
        stray("left-at-the-top.txt"),
    ]
    # Written a moment ago: an upload or a render may not have committed its record yet.
    stray(f"centre-{centre_a.pk}/{uuid.uuid4().hex}.pdf", hours_old=0)

    output, error = verify()

    assert sorted(output.splitlines()) == [f"orphan: {name}" for name in sorted(orphans)]
    assert error == "Checked 5 files: 3 orphans."
    assert all(stored_path(name).exists() for name in orphans)
    assert not any(name in output + error for name in LEARNER_NAMES)


def test_delete_orphans_deletes_only_files_no_record_knows(
    empty_storage, evidence_file, photo, bundle, centre_a, centre_b
):
    orphan = stray(f"centre-{centre_a.pk}/{uuid.uuid4().hex}.pdf")
    elsewhere = stray(f"centre-{centre_b.pk}/{uuid.uuid4().hex}.pdf")

    assert verify("--centre", "10001", "--delete-orphans") == (
        f"orphan: {orphan}: deleted\nChecked 5 files: all present and unchanged; 1 orphan deleted.\n",
        None,
    )
    assert not stored_path(orphan).exists()
    assert stored_path(elsewhere).exists()  # another centre's folder is not looked at
    for recorded in [evidence_file.file.name, photo.file.name, photo.print_rendition.name, bundle.pdf]:
        assert stored_path(recorded).exists()
    assert verify() == (f"orphan: {elsewhere}\n", "Checked 5 files: 1 orphan.")


def test_an_upload_cut_off_by_a_full_disk_leaves_no_orphan(
    empty_storage,
    evidence_file,
    centre_a,
    disk_fills_up,
):
    from portfolio.services import FilesNotStored

    with centre_scope(centre_a):
        item = EvidenceItemFactory(learner=evidence_file.item.learner)
        disk_fills_up(after=0)
        with pytest.raises(FilesNotStored):
            add_evidence_files(item=item, actor=None, uploads=[upload("photo.png", png(), "image/png")])
    two_hours_ago = timezone.now().timestamp() - 7200
    for path in Path(evidence_storage().location).rglob("*"):
        os.utime(path, (two_hours_ago, two_hours_ago))

    assert verify() == ("Checked 1 file: all present and unchanged.\n", None)


def test_problems_and_orphans_are_counted_apart(empty_storage, evidence_file, centre_a):
    stored_path(evidence_file.file.name).unlink()
    orphan = stray(f"centre-{centre_a.pk}/{uuid.uuid4().hex}.pdf")

    output, error = verify()
    assert error == "Checked 1 file: 1 problem and 1 orphan."
    output, error = verify("--delete-orphans")
    assert output.splitlines()[-1] == f"orphan: {orphan}: deleted"
    assert error == "Checked 1 file: 1 problem and 1 orphan deleted."
