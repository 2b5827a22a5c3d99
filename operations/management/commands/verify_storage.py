import hashlib
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from centre.selectors import centre_by_number
from common.previews import PREVIEW_FOLDER
from common.scoping import scopes_disabled
from common.stored_files import stored_names
from moderation.bundle import bundle_storage
from moderation.models import BundleRender
from portfolio.models import EvidenceFile, evidence_storage

CHUNK_BYTES = 1024 * 1024
# An upload saves its files before its record commits, and a bundle render its PDF and
# ZIP before it is marked done: a file younger than this may be one of those, not an orphan.
ORPHAN_GRACE = timedelta(hours=1)


def sha256_of(storage, name: str) -> str:
    """The file's SHA-256, read a chunk at a time: evidence may be tens of megabytes and
    there may be thousands of files, so none is ever held in memory whole."""
    digest = hashlib.sha256()
    with storage.open(name, "rb") as stored:
        for chunk in iter(lambda: stored.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


class Command(BaseCommand):
    help = (
        "Check that every file Waymark records is in its storage, and that each evidence file's "
        "SHA-256 still matches the one taken when it was uploaded, and report files in the "
        "evidence storage that no record knows (orphans). Exits with status 1 on any problem or "
        "orphan kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--centre", metavar="NNNNN", help="Check only this centre's files.")
        parser.add_argument(
            "--delete-orphans",
            action="store_true",
            help="Delete the orphans found (files no record knows, older than an hour).",
        )

    def handle(self, *args, centre, delete_orphans, **options):
        # Every centre's files at once: this is the operator's check, not a centre's page.
        with scopes_disabled():
            only = {}
            if centre is not None:
                found = centre_by_number(number=centre)
                if found is None:
                    raise CommandError(f"There is no centre with the number {centre!r}.")
                only = {"centre": found}
            centre_ids = [found.pk] if centre is not None else None
            checked, problems = 0, 0
            for where, storage, name, expected in self.stored_files(only):
                checked += 1
                problem = self._problem(storage, name, expected)
                if problem:
                    problems += 1
                    # The model, key, centre and generated storage name find the file; nothing
                    # names the learner, so the output can go into a ticket or a log.
                    self.stdout.write(f"{where}, {name}: {problem}")
            orphans = 0
            for name in self._orphans(centre_ids):
                orphans += 1
                if delete_orphans:
                    evidence_storage().delete(name)
                    self.stdout.write(f"orphan: {name}: deleted")
                else:
                    self.stdout.write(f"orphan: {name}")
        summary = f"Checked {counted(checked, 'file')}"
        orphans_found = f"{counted(orphans, 'orphan')}{' deleted' if delete_orphans else ''}"
        if problems or (orphans and not delete_orphans):
            counts = [counted(problems, "problem")] if problems else []
            raise CommandError(f"{summary}: {' and '.join(counts + ([orphans_found] if orphans else []))}.")
        deleted = f"; {orphans_found}" if orphans else ""
        self.stdout.write(self.style.SUCCESS(f"{summary}: all present and unchanged{deleted}."))

    def _orphans(self, centre_ids: list[int] | None):
        """The names of files in the evidence storage that no evidence file or bundle
        records (a partial upload a crash left, a render that failed after saving), older
        than ``ORPHAN_GRACE``. With ``centre_ids``, only those centres' folders are looked
        at; otherwise the whole storage, so a file that fits no centre is found too."""
        storage = evidence_storage()
        known = set()
        for names in EvidenceFile.objects.values_list("file", "print_rendition").iterator(chunk_size=2000):
            known.update(names)
        for pdf, archive, parts in BundleRender.objects.values_list("pdf", "archive", "parts").iterator(
            chunk_size=500
        ):
            known.update([pdf, archive, *(parts or [])])
        folders = (
            [""]
            if centre_ids is None
            else [f"{top}centre-{pk}" for pk in centre_ids for top in ("", "bundles/")]
        )
        cutoff = timezone.now() - ORPHAN_GRACE
        for folder in folders:
            for name in stored_names(storage, folder):
                if name.startswith(f"{PREVIEW_FOLDER}/"):
                    continue  # uploads waiting for their confirmation, swept by purge_expired
                if name not in known and storage.get_modified_time(name) < cutoff:
                    yield name

    def stored_files(self, only):
        """Each stored file as (where it is recorded, storage, name, SHA-256 recorded or None).

        The storages are looked up now rather than taken from the fields, which fixed
        theirs at import: a check of a restored copy points the settings at that copy.
        """
        evidence, bundles = evidence_storage(), bundle_storage()
        files = (
            EvidenceFile.objects.filter(**only)
            .select_related("centre")
            .only("file", "print_rendition", "sha256", "centre__number")
            .order_by("pk")
        )
        for evidence_file in files.iterator(chunk_size=500):
            where = f"EvidenceFile {evidence_file.pk} (centre {evidence_file.centre.number})"
            yield where, evidence, evidence_file.file.name, evidence_file.sha256
            if evidence_file.print_rendition:
                yield f"{where} print rendition", evidence, evidence_file.print_rendition.name, None
        # Only a finished render has published files; the bundle's hashes are in its own
        # manifest, not in the row, so its files are checked for presence alone.
        renders = (
            BundleRender.objects.filter(**only, status=BundleRender.Status.DONE)
            .select_related("centre")
            .only("pdf", "archive", "parts", "centre__number")
            .order_by("pk")
        )
        for render in renders.iterator(chunk_size=500):
            where = f"BundleRender {render.pk} (centre {render.centre.number})"
            for name in [render.pdf, render.archive, *render.parts]:
                yield where, bundles, name, None

    def _problem(self, storage, name: str, expected: str | None) -> str | None:
        if not storage.exists(name):
            return "missing"
        if expected is None:
            return None
        found = sha256_of(storage, name)
        return None if found == expected else f"changed: expected {expected}, found {found}"
