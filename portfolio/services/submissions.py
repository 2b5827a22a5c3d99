"""Submitting evidence for assessment (each submission a frozen version) and returning it
to the learner for revision."""

from django.db import transaction
from django.utils import timezone

from audit.services import record_audit
from common.errors import NotAllowed, Refused
from common.redaction import redactor_for
from learners.models import Learner
from portfolio.kinds import kind_spec
from portfolio.models import EvidenceItem, EvidenceMapping, EvidenceVersion
from portfolio.policies import ASSESS, evidence_item_policy
from portfolio.services.locks import locked_item
from portfolio.sources import record_source

DECLARATION = (
    "I declare that this evidence is my own work, and that where I have used other people’s "
    "work or words, I have said so."
)


@transaction.atomic
def submit_evidence_item(*, item: EvidenceItem, actor, declared: bool) -> EvidenceVersion:
    """Freeze the item as a new numbered version with the learner's declaration, by name
    and time. It must say what the kind needs and be mapped to at least one criterion."""
    item = locked_item(item)
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
        except Refused as refusal:
            problems.extend(refusal.messages)
        else:
            problems.extend(source.gaps(record))
    if problems:
        raise Refused(*problems)

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
    item = locked_item(item, editable=False)
    if not evidence_item_policy.user_has_permission_for_instance(actor, ASSESS, item):
        raise NotAllowed("Only the learner’s allocated assessor can return their evidence.")
    returnable = {EvidenceItem.Status.SUBMITTED} | ({EvidenceItem.Status.ASSESSED} if reassessing else set())
    if item.status not in returnable:
        title = redactor_for(learner=item.learner_id).text(item.title)  # told to the assessor
        raise Refused(f"“{title}” is not waiting for assessment, so it cannot be returned.")
    if not reason.strip():
        raise Refused("Say what the learner needs to change.")
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


def _match_item_to(item: EvidenceItem, snapshot: dict, mappings: list[EvidenceMapping]) -> None:
    item.title, item.body = snapshot["title"], snapshot["body"]
    notes = {entry["criterion"]: entry["note"] for entry in snapshot["mappings"]}
    for mapping in mappings:
        if mapping.note != notes[mapping.criterion_id]:
            mapping.note = notes[mapping.criterion_id]
            mapping.save(update_fields=["note"])
