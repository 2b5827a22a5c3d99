"""Changes to a learner's evidence: writing it, attaching files, mapping it to criteria,
submitting it with their declaration, and having it returned.

Every change locks the item first, so two tabs or a double click cannot interleave, and
refuses to touch an item that is frozen by its submission.
"""

import uuid
from collections.abc import Mapping

from django.db import IntegrityError, transaction

from audit.services import record_audit
from common.errors import Frozen, Refused
from learners.models import Enrolment, Learner
from portfolio.kinds import clean_evidence_content, kind_spec
from portfolio.models import EvidenceItem, EvidenceMapping
from portfolio.services.files import delete_from_storage, stored_files
from portfolio.services.locks import locked_item
from portfolio.sources import record_source
from units.models import AssessmentCriterion

NOTE_MAX_LENGTH = 5_000


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
    item = locked_item(item)
    item.title, item.body, cleaned_details = clean_evidence_content(
        kind=item.kind, title=title, body=body, details=details
    )
    # What a networking record item presents is fixed when it is started.
    if not kind_spec(item.kind).record_source:
        item.details = cleaned_details
    item.save(update_fields=["title", "body", "details", "updated_at"])
    return item


@transaction.atomic
def set_evidence_mappings(*, item: EvidenceItem, actor, claims: Mapping[int, str]) -> None:
    """Make the item's criteria exactly ``claims`` (criterion id → the learner's note on how
    the item meets it). Every criterion must belong to a unit the learner is enrolled on."""
    item = locked_item(item)
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
        raise Refused(*problems)

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
def delete_evidence_item(*, item: EvidenceItem, actor) -> None:
    """Delete a draft that was never submitted, with its files. Submitted work is part of
    the assessment record and stays."""
    item = locked_item(item)
    if item.versions.exists():
        raise Frozen(f"“{item.title}” has been submitted before, so it is kept.")
    stored = [stored for evidence_file in item.files.all() for stored in stored_files(evidence_file)]
    record_audit(
        actor=actor, verb="evidence.deleted", target=item, centre=item.centre, learner=item.learner_id
    )
    item.delete()
    transaction.on_commit(lambda: delete_from_storage(stored))
