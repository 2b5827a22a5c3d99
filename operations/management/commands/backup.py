import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from common.previews import PREVIEW_FOLDER
from common.stored_files import stored_names

CHUNK_BYTES = 1024 * 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as part:
        for chunk in iter(lambda: part.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = (
        "Back Waymark up into a new timestamped folder inside DIRECTORY: the database (a consistent "
        "copy, taken while Waymark runs), the stored files as files.tar.gz, and manifest.json with "
        "each part's SHA-256 and size."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Where to make the backup's folder.")

    def handle(self, *args, directory, **options):
        created_at = timezone.now()
        target = directory / f"waymark-{created_at:%Y%m%dT%H%M%SZ}"
        directory.mkdir(parents=True, exist_ok=True)
        try:
            # Owner only: the backup holds every learner's evidence and personal details.
            target.mkdir(mode=0o700)
        except FileExistsError:
            raise CommandError(f"{target} already exists; wait a second and run again.") from None
        try:
            # The database first and the files after: a file uploaded in between is only an
            # unreferenced extra in the backup, whereas the other order could leave a row whose
            # file is not in it.
            if connection.vendor == "sqlite":
                database = self._copy_sqlite(target / "database.sqlite3")
            elif connection.vendor == "postgresql":
                database = self._dump_postgresql(target / "database.dump")
            else:
                raise CommandError(f"Backing up a {connection.vendor} database is not supported.")
            files, folders = self._archive_files(target / "files.tar.gz")
            manifest = {
                "created_at": created_at.isoformat(),
                "database": connection.vendor,
                "folders": folders,
                "parts": [
                    {"name": part.name, "sha256": sha256_of(part), "size": part.stat().st_size}
                    for part in (database, files)
                ],
            }
            (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        except BaseException:
            # Half a backup looks like a whole one to whoever restores it in a hurry.
            shutil.rmtree(target)
            raise
        self.stdout.write(
            self.style.SUCCESS(f"Backed up to {target}: {database.name}, {files.name} and manifest.json.")
        )

    def _copy_sqlite(self, path: Path) -> Path:
        """SQLite's online backup: one step under one read transaction, so the copy is of a
        single moment even while Waymark writes (a copy of the file would miss what is
        still in the write-ahead log, or catch a page half-written)."""
        source_path = Path(connection.settings_dict["NAME"]).resolve()
        if not source_path.is_file():
            raise CommandError(f"There is no SQLite database at {source_path}.")
        # Read-only, so a wrong path can never create an empty database to back up.
        source = sqlite3.connect(f"{source_path.as_uri()}?mode=ro", uri=True, timeout=10)
        copy = sqlite3.connect(path)
        try:
            source.backup(copy)
            (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
        finally:
            copy.close()
            source.close()
        if verdict != "ok":
            raise CommandError(f"The copy of the database failed SQLite's check: {verdict}")
        return path

    def _dump_postgresql(self, path: Path) -> Path:
        """pg_dump's custom format, a consistent snapshot that pg_restore can restore into an
        empty database. The connection is Django's own; the password reaches pg_dump through
        its environment, never its command line, which other users of the machine can read."""
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise CommandError("pg_dump is not installed (Debian: apt install postgresql-client).")
        args, env = connection.client.settings_to_cmd_args_env(
            connection.settings_dict, ["--format=custom", f"--file={path}", "--no-password"]
        )
        result = subprocess.run(  # noqa: S603 (the arguments are Django's settings, not input)
            [pg_dump, *args[1:]],
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        return path

    def _archive_files(self, path: Path) -> tuple[Path, dict[str, str]]:
        """The evidence storage and the media storage, as evidence/ and media/ in one
        tarball, read through the storage API: a folder on disk and a bucket alike. Returns
        it and where each part was copied from."""
        folders, now = {}, timezone.now().timestamp()
        with tarfile.open(path, "w:gz") as archive:
            for label, alias in [("evidence", "evidence"), ("media", "default")]:
                storage = storages[alias]
                folders[label] = where(storage)
                file_mode, folder_mode = modes_in_a_folder(storage, label)
                archived_folders: set[str] = set()
                for name in stored_names(storage):
                    if label == "evidence" and name.startswith(f"{PREVIEW_FOLDER}/"):
                        continue  # uploads waiting an hour at most for their confirmation
                    try:
                        stored = storage.open(name, "rb")
                    except FileNotFoundError:
                        # Removed since the folder was listed (a draft's file taken off), so
                        # no longer wanted.
                        continue
                    with stored:
                        # Each folder before its first file, with its own mode: tar would
                        # otherwise make it by the umask of whoever restores.
                        for folder in folders_of(f"{label}/{name}"):
                            if folder not in archived_folders:
                                archived_folders.add(folder)
                                entry = tarfile.TarInfo(folder)
                                entry.type, entry.mode = tarfile.DIRTYPE, folder_mode
                                entry.mtime = now
                                archive.addfile(entry)
                        entry = tarfile.TarInfo(f"{label}/{name}")
                        entry.size = stored.size
                        entry.mtime = storage.get_modified_time(name).timestamp()
                        entry.mode = file_mode
                        archive.addfile(entry, stored)
        return path, folders


# The modes of a part kept in a bucket, which has none, once restored into a folder: media
# readable by nginx, evidence by Waymark's user alone (as config/settings/storage.py's
# folders have them).
BUCKET_MODES = {"evidence": (0o600, 0o700), "media": (0o644, 0o755)}


def modes_in_a_folder(storage, label: str) -> tuple[int, int]:
    """The modes of a part's files and folders in the archive: the storage's own when it is
    a folder, so that a restore into one reads as the original did."""
    file_mode, folder_mode = BUCKET_MODES[label]
    if isinstance(storage, FileSystemStorage):
        file_mode = storage.file_permissions_mode or file_mode
        folder_mode = storage.directory_permissions_mode or folder_mode
    return file_mode, folder_mode


def folders_of(name: str) -> list[str]:
    """The folders an archived file lies in, outermost first: evidence/, evidence/a/ …"""
    parts = name.split("/")[:-1]
    return ["/".join(parts[: depth + 1]) for depth in range(len(parts))]


def where(storage) -> str:
    """Where a storage keeps its files, for the manifest: a folder, or a bucket and prefix."""
    if isinstance(storage, FileSystemStorage):
        return str(storage.location)
    if bucket := getattr(storage, "bucket_name", None):
        return f"s3://{bucket}/{storage.location}".rstrip("/")
    return type(storage).__name__
