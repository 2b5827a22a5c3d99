"""Evidence files: stored when they are attached, and deleted from storage only once the
change that dropped them is committed."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from audit.services import record_audit
from common.errors import Refused, ServiceError
from common.storage_faults import storage_failures
from common.uploads import InspectedUpload, UploadRefused, inspect_upload, print_rendition
from learners.models import Learner
from portfolio.models import EvidenceFile, EvidenceItem
from portfolio.selectors import learner_storage_used
from portfolio.services.locks import locked_item

logger = logging.getLogger(__name__)


class FilesNotStored(ServiceError):
    """The storage failed while taking the files (a full disk, a storage service that is
    down): none of them is kept, and nothing the learner saved before is touched."""

    def __init__(self, name: str):
        super().__init__(
            f"“{name}” could not be stored: Waymark’s file storage is full or unavailable just now. "
            "None of the files you chose has been added, and everything already saved is kept. "
            "Please try again later, and tell your centre if it keeps happening."
        )


def add_evidence_files(
    *, item: EvidenceItem, actor, uploads: Iterable[UploadedFile]
) -> list[InspectedUpload]:
    """Attach files to an editable item: all of them, or (``Refused``, naming every file
    refused and why) none.

    The files are inspected and their print renditions made first, outside the write
    transaction: on SQLite one writer at a time holds the database, and a photo's
    rendition (some 0.3 s) held inside it made every other writer wait as long."""
    inspected, problems = [], []
    for upload in uploads:
        try:
            inspected.append(
                inspect_upload(
                    upload,
                    max_bytes=settings.EVIDENCE_FILE_MAX_BYTES,
                    max_pixels=settings.EVIDENCE_IMAGE_MAX_PIXELS,
                )
            )
        except UploadRefused as refusal:
            problems.append(str(refusal))
    renditions = {
        upload.sha256: print_rendition(upload.content)
        for upload in inspected
        if upload.content_type.startswith("image/")
    }
    with transaction.atomic():
        return _attach_files(
            item=item, actor=actor, inspected=inspected, problems=problems, renditions=renditions
        )


def _attach_files(
    *, item: EvidenceItem, actor, inspected: list[InspectedUpload], problems: list[str], renditions: dict
) -> list[InspectedUpload]:
    item = locked_item(item)
    # The learner's row too: uploads to two of their items at once must not both pass
    # the quota that together they exceed.
    Learner.objects.select_for_update().filter(pk=item.learner_id).first()
    if not inspected and not problems:
        problems.append("Choose at least one file to upload.")
    attached = {file.sha256: file.original_name for file in item.files.filter(removed_at__isnull=True)}
    for upload in inspected:
        if upload.sha256 in attached:
            problems.append(f"“{upload.original_name}” is already attached, as “{attached[upload.sha256]}”.")
        attached[upload.sha256] = upload.original_name
    used = learner_storage_used(learner=item.learner)
    adding = sum(upload.size for upload in inspected)
    if used + adding > settings.EVIDENCE_QUOTA_BYTES:
        problems.append(
            f"These files would take your evidence to {filesizeformat(used + adding)}, over your limit of "
            f"{filesizeformat(settings.EVIDENCE_QUOTA_BYTES)}. Remove files you no longer need, or ask "
            "your centre."
        )
    if problems:
        raise Refused(*problems)

    stored: list[EvidenceFile] = []
    try:
        for upload in inspected:
            evidence_file = EvidenceFile(
                centre=item.centre,
                item=item,
                original_name=upload.original_name,
                content_type=upload.content_type,
                size=upload.size,
                sha256=upload.sha256,
            )
            stored.append(evidence_file)
            _store(evidence_file, "file", f"upload{upload.extension}", upload.content, upload.original_name)
            if upload.sha256 in renditions:
                _store(
                    evidence_file,
                    "print_rendition",
                    "print.jpg",
                    renditions[upload.sha256],
                    upload.original_name,
                )
            evidence_file.save()
            record_audit(
                actor=actor,
                verb="evidence.file_added",
                target=evidence_file,
                centre=item.centre,
                learner=item.learner_id,
                details={"item": item.pk, "sha256": upload.sha256, "size": upload.size},
            )
    except BaseException:
        for evidence_file in stored:
            for file in stored_files(evidence_file):
                _delete_quietly(file.storage, file.name)
        raise
    item.save(update_fields=["updated_at"])
    return inspected


@transaction.atomic
def remove_evidence_file(*, evidence_file: EvidenceFile, actor) -> None:
    """Take a file off an editable item. A file that a submitted version holds stays in
    storage for that version; one that never left the draft is deleted."""
    item = locked_item(evidence_file.item)
    if evidence_file.versions.exists():
        evidence_file.removed_at = timezone.now()
        evidence_file.save(update_fields=["removed_at"])
    else:
        stored = stored_files(evidence_file)
        evidence_file.delete()
        transaction.on_commit(lambda: delete_from_storage(stored))
    record_audit(
        actor=actor,
        verb="evidence.file_removed",
        target=item,
        centre=item.centre,
        learner=item.learner_id,
        details={"file": evidence_file.sha256},
    )
    item.save(update_fields=["updated_at"])


def _store(evidence_file: EvidenceFile, field: str, filename: str, content: bytes, shown_as: str) -> None:
    """Save ``content`` into the file ``field`` under a generated name, or raise
    ``FilesNotStored`` if the storage fails (a full disk, an unreachable bucket). What it
    wrote before failing is deleted: the name is chosen here, not by the storage, so it is
    known when that happens."""
    file_field = EvidenceFile._meta.get_field(field)
    storage = file_field.storage
    try:
        name = file_field.generate_filename(evidence_file, filename)
        while storage.exists(name):  # a second random name: never write over another file
            name = file_field.generate_filename(evidence_file, filename)
    except storage_failures() as error:
        # Failed before writing anything (an object store that cannot be reached): no
        # name of ours to clean up, and a name that may be another file's is left alone.
        logger.error("Evidence storage could not be reached for item %s: %r", evidence_file.item_id, error)
        raise FilesNotStored(shown_as) from error
    try:
        saved = storage.save(name, ContentFile(content), max_length=file_field.max_length)
    except BaseException as error:
        _delete_quietly(storage, name)
        if isinstance(error, storage_failures()):
            logger.error("Evidence file %s could not be stored: %r", name, error)
            raise FilesNotStored(shown_as) from error
        raise
    setattr(evidence_file, field, saved)


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:
        # Left for `manage.py verify_storage`, which reports files no record knows.
        logger.exception("A stored evidence file, %s, could not be deleted", name)


def stored_files(evidence_file: EvidenceFile) -> list:
    return [f for f in (evidence_file.file, evidence_file.print_rendition) if f]


def delete_from_storage(stored: list) -> None:
    """Delete files whose records are gone, once that is committed. A storage that fails
    now cannot undo the change, so the failure is logged, not raised: the person's
    change stands, and the file is left for ``manage.py verify_storage`` to report."""
    for file in stored:
        _delete_quietly(file.storage, file.name)
