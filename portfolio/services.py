"""Changes to a learner's evidence: writing it, attaching files, mapping it to criteria,
submitting it with their declaration, and having it returned.

Every change locks the item first, so two tabs or a double click cannot interleave, and
refuses to touch an item that is frozen by its submission.
"""

import logging
import uuid
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from audit.services import record_audit
from common.dates import long_datetime
from common.redaction import redactor_for
from common.uploads import InspectedUpload, UploadRefused, inspect_upload, print_rendition
from learners.models import Enrolment, Learner
from portfolio.kinds import clean_evidence_content, kind_spec
from portfolio.models import EvidenceFile, EvidenceItem, EvidenceMapping, EvidenceVersion
from portfolio.selectors import learner_storage_used
from portfolio.sources import record_source
from units.models import AssessmentCriterion

DECLARATION = (
    "I declare that this evidence is my own work, and that where I have used other people’s "
    "work or words, I have said so."
)
NOTE_MAX_LENGTH = 5_000

logger = logging.getLogger(__name__)


class FilesNotStored(Exception):
    """The storage failed while taking the files (a full disk, a storage service that is
    down): none of them is kept, and nothing the learner saved before is touched."""

    def __init__(self, name: str):
        super().__init__(
            f"“{name}” could not be stored: Waymark’s file storage is full or unavailable just now. "
            "None of the files you chose has been added, and everything already saved is kept. "
            "Please try again later, and tell your centre if it keeps happening."
        )


class EvidenceIsFrozen(Exception):
    """A change to an item that has been submitted and not returned."""

    def __init__(self, item: EvidenceItem):
        when = long_datetime(item.submitted_at)
        super().__init__(
            f"“{item.title}” was submitted on {when} and cannot be changed unless your assessor "
            "returns it to you."
        )


def _locked(item: EvidenceItem, *, editable: bool = True) -> EvidenceItem:
    locked = EvidenceItem.objects.select_for_update().get(pk=item.pk)
    if editable and not locked.is_editable:
        raise EvidenceIsFrozen(locked)
    return locked


@transaction.atomic
def create_evidence_item(
    *, learner: Learner, actor, kind: str, title: str, body: str, details: dict, creation_token: uuid.UUID
) -> tuple[EvidenceItem, bool]:
    """A new draft item, and whether it was created: the same ``creation_token`` (one form,
    sent twice) gives back the item the first sending made."""
    if kind_spec(kind).record_source:
        details = record_source(kind).checked(learner=learner, details=details)
    title, body, cleaned_details = clean_evidence_content(kind=kind, title=title, body=body, details=details)
    if not kind_spec(kind).record_source:
        details = cleaned_details
    existing = EvidenceItem.objects.filter(learner=learner, creation_token=creation_token).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            item = EvidenceItem.objects.create(
                centre=learner.centre,
                learner=learner,
                kind=kind,
                title=title,
                body=body,
                details=details,
                creation_token=creation_token,
            )
    except IntegrityError:
        # The other sending won the race between the check and the insert.
        return EvidenceItem.objects.get(learner=learner, creation_token=creation_token), False
    record_audit(
        actor=actor,
        verb="evidence.created",
        target=item,
        centre=item.centre,
        learner=item.learner_id,
        details={"kind": kind},
    )
    return item, True


@transaction.atomic
def update_evidence_item(*, item: EvidenceItem, actor, title: str, body: str, details: dict) -> EvidenceItem:
    item = _locked(item)
    item.title, item.body, cleaned_details = clean_evidence_content(
        kind=item.kind, title=title, body=body, details=details
    )
    # What a networking record item presents is fixed when it is started.
    if not kind_spec(item.kind).record_source:
        item.details = cleaned_details
    item.save(update_fields=["title", "body", "details", "updated_at"])
    return item


def add_evidence_files(
    *, item: EvidenceItem, actor, uploads: Iterable[UploadedFile]
) -> list[InspectedUpload]:
    """Attach files to an editable item: all of them, or (with a ``ValidationError`` naming
    every file refused and why) none.

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
    item = _locked(item)
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
        raise ValidationError(problems)

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
            for file in _stored_files(evidence_file):
                _delete_quietly(file.storage, file.name)
        raise
    item.save(update_fields=["updated_at"])
    return inspected


@transaction.atomic
def remove_evidence_file(*, evidence_file: EvidenceFile, actor) -> None:
    """Take a file off an editable item. A file that a submitted version holds stays in
    storage for that version; one that never left the draft is deleted."""
    item = _locked(evidence_file.item)
    if evidence_file.versions.exists():
        evidence_file.removed_at = timezone.now()
        evidence_file.save(update_fields=["removed_at"])
    else:
        stored = _stored_files(evidence_file)
        evidence_file.delete()
        transaction.on_commit(lambda: _delete_from_storage(stored))
    record_audit(
        actor=actor,
        verb="evidence.file_removed",
        target=item,
        centre=item.centre,
        learner=item.learner_id,
        details={"file": evidence_file.sha256},
    )
    item.save(update_fields=["updated_at"])


@transaction.atomic
def set_evidence_mappings(*, item: EvidenceItem, actor, claims: Mapping[int, str]) -> None:
    """Make the item's criteria exactly ``claims`` (criterion id → the learner's note on how
    the item meets it). Every criterion must belong to a unit the learner is enrolled on."""
    item = _locked(item)
    criteria = AssessmentCriterion.objects.filter(pk__in=claims).select_related("outcome__page")
    criteria = {criterion.pk: criterion for criterion in criteria}
    enrolments = {
        enrolment.unit_id: enrolment
        for enrolment in Enrolment.objects.filter(
            centre=item.centre, learner=item.learner, status=Enrolment.Status.ACTIVE
        )
    }
    problems = []
    for criterion_id, note in claims.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            problems.append(f"There is no criterion {criterion_id}.")
        elif criterion.outcome.page_id not in enrolments:
            unit = criterion.outcome.page.title
            problems.append(f"{criterion.code} belongs to “{unit}”, a unit you are not enrolled on.")
        elif not note.strip():
            problems.append(f"Say how this evidence meets {criterion.code}.")
        elif len(note) > NOTE_MAX_LENGTH:
            problems.append(f"The note for {criterion.code} is longer than {NOTE_MAX_LENGTH:,} characters.")
    if problems:
        raise ValidationError(problems)

    current = {mapping.criterion_id: mapping for mapping in item.mappings.all()}
    item.mappings.exclude(criterion_id__in=claims).delete()
    for criterion_id, note in claims.items():
        if (mapping := current.get(criterion_id)) is None:
            criterion = criteria[criterion_id]
            EvidenceMapping.objects.create(
                centre=item.centre,
                item=item,
                enrolment=enrolments[criterion.outcome.page_id],
                criterion=criterion,
                note=note.strip(),
            )
        elif mapping.note != note.strip():
            mapping.note = note.strip()
            mapping.save(update_fields=["note"])
    item.save(update_fields=["updated_at"])
    record_audit(
        actor=actor,
        verb="evidence.mapped",
        target=item,
        centre=item.centre,
        learner=item.learner_id,
        details={"criteria": sorted(claims)},
    )


@transaction.atomic
def submit_evidence_item(*, item: EvidenceItem, actor, declared: bool) -> EvidenceVersion:
    """Freeze the item as a new numbered version with the learner's declaration, by name
    and time. It must say what the kind needs and be mapped to at least one criterion."""
    item = _locked(item)
    files = list(item.files.filter(removed_at__isnull=True))
    mappings = list(item.mappings.select_related("criterion__outcome__page").order_by("criterion__code"))
    problems = []
    if not declared:
        problems.append("Confirm the declaration that this is your own work.")
    if not mappings:
        problems.append("Map this evidence to at least one criterion before you submit it.")
    if kind_spec(item.kind).needs_files and not files:
        problems.append("Upload at least one file before you submit this evidence.")
    source = record = None
    if kind_spec(item.kind).record_source:
        source = record_source(item.kind)
        # Held against a contact's consent being withdrawn while this version is made.
        Learner.objects.select_for_update().filter(pk=item.learner_id).first()
        try:
            # Pseudonymised below, with the rest of the snapshot, in one pass.
            record = source.build(learner=item.learner, details=item.details)
        except ValidationError as error:
            problems.extend(error.messages)
        else:
            problems.extend(source.gaps(record))
    if problems:
        raise ValidationError(problems)

    now = timezone.now()
    learner = item.learner
    snapshot = {
        "kind": item.kind,
        "title": item.title,
        "body": item.body,
        "details": item.details,
        "files": [
            {
                "id": file.pk,
                "name": file.original_name,
                "content_type": file.content_type,
                "size": file.size,
                "sha256": file.sha256,
            }
            for file in files
        ],
        "mappings": [
            {
                "criterion": mapping.criterion_id,
                "code": mapping.criterion.code,
                "unit": mapping.criterion.outcome.page.urn,
                "note": mapping.note,
            }
            for mapping in mappings
        ],
    }
    if record is not None:
        # The whole snapshot, not just the record: the learner's title, commentary and notes
        # may name a contact who has not consented too. The item itself is brought into
        # line, since assessors' lists and grids show its title and notes.
        snapshot = redactor_for(learner=learner).snapshot({**snapshot, source.key: record})
        _match_item_to(item, snapshot, mappings)
    version = EvidenceVersion.objects.create(
        centre=item.centre,
        item=item,
        number=item.versions.count() + 1,
        submitted_at=now,
        submitted_by=actor,
        declared_name=f"{learner.first_name} {learner.last_name}",
        declaration=DECLARATION,
        snapshot=snapshot,
    )
    version.files.set(files)
    item.status = EvidenceItem.Status.SUBMITTED
    item.submitted_at = now
    item.save(update_fields=["title", "body", "status", "submitted_at", "updated_at"])
    record_audit(
        actor=actor,
        verb="evidence.submitted",
        target=version,
        centre=item.centre,
        learner=item.learner_id,
        details={
            "item": item.pk,
            "version": version.number,
            "criteria": [mapping.criterion_id for mapping in mappings],
            "files": [file.sha256 for file in files],
        },
    )
    return version


@transaction.atomic
def return_evidence_item(
    *, item: EvidenceItem, actor, reason: str, reassessing: bool = False
) -> EvidenceItem:
    """Hand a submitted item back to the learner to revise. Only an assessor allocated to
    an enrolment the item is mapped to may; the submitted version stays as it was, with
    the return and its reason recorded on it. ``reassessing``: an item already assessed
    may be returned too (its unit was reopened and is being judged again)."""
    from portfolio.permissions import can_assess_item

    item = _locked(item, editable=False)
    if not can_assess_item(actor, item):
        raise ValidationError("Only the learner’s allocated assessor can return their evidence.")
    returnable = {EvidenceItem.Status.SUBMITTED} | ({EvidenceItem.Status.ASSESSED} if reassessing else set())
    if item.status not in returnable:
        title = redactor_for(learner=item.learner_id).text(item.title)  # told to the assessor
        raise ValidationError(f"“{title}” is not waiting for assessment, so it cannot be returned.")
    if not reason.strip():
        raise ValidationError("Say what the learner needs to change.")
    item.status = EvidenceItem.Status.RETURNED
    item.returned_at = timezone.now()
    item.return_reason = reason.strip()
    item.save(update_fields=["status", "returned_at", "return_reason", "updated_at"])
    version = item.versions.order_by("-number").first()
    version.returned_at, version.returned_by, version.return_reason = (
        item.returned_at,
        actor,
        item.return_reason,
    )
    version.save(update_fields=["returned_at", "returned_by", "return_reason"])
    record_audit(
        actor=actor,
        verb="evidence.returned",
        target=item,
        centre=item.centre,
        learner=item.learner_id,
        details={"version": version.number},
    )
    return item


@transaction.atomic
def delete_evidence_item(*, item: EvidenceItem, actor) -> None:
    """Delete a draft that was never submitted, with its files. Submitted work is part of
    the assessment record and stays."""
    item = _locked(item)
    if item.versions.exists():
        raise ValidationError(f"“{item.title}” has been submitted before, so it is kept.")
    stored = [stored for evidence_file in item.files.all() for stored in _stored_files(evidence_file)]
    record_audit(
        actor=actor, verb="evidence.deleted", target=item, centre=item.centre, learner=item.learner_id
    )
    item.delete()
    transaction.on_commit(lambda: _delete_from_storage(stored))


def _match_item_to(item: EvidenceItem, snapshot: dict, mappings: list[EvidenceMapping]) -> None:
    item.title, item.body = snapshot["title"], snapshot["body"]
    notes = {entry["criterion"]: entry["note"] for entry in snapshot["mappings"]}
    for mapping in mappings:
        if mapping.note != notes[mapping.criterion_id]:
            mapping.note = notes[mapping.criterion_id]
            mapping.save(update_fields=["note"])


def _store(evidence_file: EvidenceFile, field: str, filename: str, content: bytes, shown_as: str) -> None:
    """Save ``content`` into the file ``field`` under a generated name, or raise
    ``FilesNotStored`` if the storage fails (a full disk, an unreachable bucket). What it
    wrote before failing is deleted: the name is chosen here, not by the storage, so it is
    known when that happens."""
    file_field = EvidenceFile._meta.get_field(field)
    storage = file_field.storage
    name = file_field.generate_filename(evidence_file, filename)
    while storage.exists(name):  # a second random name: never write over another file
        name = file_field.generate_filename(evidence_file, filename)
    try:
        saved = storage.save(name, ContentFile(content), max_length=file_field.max_length)
    except BaseException as error:
        _delete_quietly(storage, name)
        if isinstance(error, OSError):
            logger.error("Evidence file %s could not be stored: %s", name, error)
            raise FilesNotStored(shown_as) from error
        raise
    setattr(evidence_file, field, saved)


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:
        # Left for `manage.py verify_storage`, which reports files no record knows.
        logger.exception("A stored evidence file, %s, could not be deleted", name)


def _stored_files(evidence_file: EvidenceFile) -> list:
    return [f for f in (evidence_file.file, evidence_file.print_rendition) if f]


def _delete_from_storage(stored: list) -> None:
    for file in stored:
        file.storage.delete(file.name)
