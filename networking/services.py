"""Changes to a learner's networking records: contacts and their consent, interactions,
dated reviews, guidelines, turning a record into evidence, and exporting or deleting
contacts.

A contact who withdraws consent, or whom the learner deletes, is taken out of the
learner's submitted networking evidence too: each version keeps the contact only as their
pseudonym, so the assessment record stands without their details.
"""

import uuid
from dataclasses import dataclass
from datetime import date

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.services import record_audit
from common.dates import long_date
from common.errors import Refused, check_model
from common.redaction import Redactor, free_text_keys
from common.spreadsheets import neutralise
from learners.models import Learner
from learners.validators import normalised_phone_number
from networking.identities import contact_identity, recorded_identities
from networking.models import (
    ContactInteraction,
    NetworkContact,
    NetworkingGuidelines,
    NetworkReview,
    NetworkReviewEntry,
)
from networking.selectors import RECORD_TITLES, Record, record_source
from networking.signals import submitted_evidence_pseudonymised
from portfolio.models import EvidenceFile, EvidenceItem, EvidenceKind, EvidenceMapping, EvidenceVersion
from portfolio.services import create_evidence_item

CONTACT_FIELDS = (
    "kind",
    "name",
    "organisation",
    "sector",
    "email",
    "phone",
    "how_met",
    "they_offer",
    "you_offer",
    "organisation_benefit",
    "strength",
    "last_contact",
    "next_action",
    "consented",
)


def _checked(instance, *, exclude: tuple[str, ...]) -> None:
    """Validate ``instance`` as its model declares: the rules hold for every caller."""
    check_model(instance, exclude=["centre", *exclude])


@transaction.atomic
def save_contact(
    *, learner: Learner, actor, data: dict, contact: NetworkContact | None = None
) -> NetworkContact:
    """Add a contact to the learner's register (``contact`` None) or change one. Recording
    consent dates it; withdrawing it takes the contact's details out of submitted evidence."""
    data = {name: data[name] for name in CONTACT_FIELDS if name in data}
    if data.get("phone"):
        try:
            data["phone"] = normalised_phone_number(data["phone"])
        except ValidationError as error:
            raise Refused(*error.messages, field="phone") from None
    created = contact is None
    if created:
        Learner.objects.select_for_update().filter(pk=learner.pk).update(
            contacts_numbered=F("contacts_numbered") + 1
        )
        learner.refresh_from_db(fields=["contacts_numbered"])
        contact = NetworkContact(centre=learner.centre, learner=learner, number=learner.contacts_numbered)
        was_consented = False
    else:
        Learner.objects.select_for_update().filter(pk=learner.pk).first()
        contact = NetworkContact.objects.select_for_update().get(pk=contact.pk, learner=learner)
        was_consented = contact.consented
    for name, value in data.items():
        setattr(contact, name, value)
    _checked(contact, exclude=("learner",))
    if contact.consented and not was_consented:
        contact.consent_recorded_on = timezone.localdate()
    elif not contact.consented:
        contact.consent_recorded_on = None
    contact.save()
    if contact.consented != was_consented:
        record_audit(
            actor=actor,
            verb="network.consent_recorded" if contact.consented else "network.consent_withdrawn",
            target=contact,
            centre=contact.centre,
            learner=learner,
            details={"contact": contact.reference},
        )
    if was_consented and not contact.consented:
        _forget_in_evidence(contact)
    return contact


@transaction.atomic
def delete_contact(*, contact: NetworkContact, actor) -> int:
    """Delete a contact with their interactions. What the learner wrote about them
    elsewhere, and their submitted evidence, keep them only as "Contact C7"; returns how
    many submitted versions were changed to do so."""
    Learner.objects.select_for_update().filter(pk=contact.learner_id).first()
    contact = NetworkContact.objects.select_for_update().get(pk=contact.pk)
    changed = _forget_in_evidence(contact)
    _forget_in_own_records(contact)
    record_audit(
        actor=actor,
        verb="network.contact_deleted",
        target=contact,
        centre=contact.centre,
        learner=contact.learner_id,
        details={"contact": contact.reference, "versions_pseudonymised": changed},
    )
    contact.delete()
    return changed


def _kept_names(contact: NetworkContact) -> list[str]:
    """Names of the learner's other contacts who consented, and the learner's own: words
    in them stay."""
    others = NetworkContact.objects.filter(learner_id=contact.learner_id, consented=True)
    learner = Learner.objects.filter(pk=contact.learner_id).values_list("first_name", "last_name").first()
    names = list(others.exclude(pk=contact.pk).values_list("name", flat=True))
    return [*names, " ".join(learner)] if learner else names


def _forget_in_evidence(contact: NetworkContact) -> int:
    """Show ``contact`` only by pseudonym in every submitted version of the learner's
    evidence, of every kind (title, text, notes, a witness's details, file names), however
    they were named when it was submitted; what was copied from the old versions (a
    moderation bundle) is discarded by those who copied it, told by
    ``submitted_evidence_pseudonymised``. Once the contact is deleted nothing could find
    them there."""
    versions = EvidenceVersion.objects.select_for_update().filter(item__learner_id=contact.learner_id)
    keep = _kept_names(contact)
    changed = 0
    for version in versions:
        identity = contact_identity(contact, recorded=recorded_identities(version.snapshot, contact.pk))
        snapshot = Redactor([identity], keep=keep).snapshot(version.snapshot)
        if snapshot != version.snapshot:
            version.snapshot = snapshot
            version.save(update_fields=["snapshot"])
            changed += 1
    if changed:
        submitted_evidence_pseudonymised.send(
            sender=NetworkContact, learner_id=contact.learner_id, versions=changed
        )
    return changed


def _forget_in_own_records(contact: NetworkContact) -> None:
    """Replace ``contact``'s identity by their reference in everything else the learner
    wrote: other contacts, interactions, reviews, guidelines and their evidence items."""
    redactor = Redactor([contact_identity(contact)], keep=_kept_names(contact))
    learner_id = contact.learner_id
    free_text = free_text_keys()
    rows = [
        (NetworkContact.objects.filter(learner_id=learner_id).exclude(pk=contact.pk), free_text),
        (
            ContactInteraction.objects.filter(contact__learner_id=learner_id).exclude(contact=contact),
            free_text,
        ),
        (NetworkReview.objects.filter(learner_id=learner_id), free_text),
        (NetworkReviewEntry.objects.filter(review__learner_id=learner_id), free_text),
        (NetworkingGuidelines.objects.filter(learner_id=learner_id), free_text),
        (EvidenceItem.objects.filter(learner_id=learner_id), free_text),
        (EvidenceMapping.objects.filter(item__learner_id=learner_id), free_text),
        (EvidenceFile.objects.filter(item__learner_id=learner_id), {"original_name"}),
    ]
    for item in EvidenceItem.objects.filter(learner_id=learner_id).select_for_update():
        # What a kind records beyond the title and text: a witness's name, a setting.
        if (details := redactor.record(item.details)) != item.details:
            item.details = details
            item.save(update_fields=["details"])
    for queryset, fields in rows:
        text_fields = [
            field.name
            for field in queryset.model._meta.concrete_fields
            if field.get_internal_type() in {"CharField", "TextField"} and field.name in fields
        ]
        for row in queryset.select_for_update():
            changed = [
                name for name in text_fields if redactor.text(getattr(row, name)) != getattr(row, name)
            ]
            for name in changed:
                setattr(row, name, redactor.text(getattr(row, name)))
            if changed:
                row.save(update_fields=changed)


@transaction.atomic
def log_interaction(*, contact: NetworkContact, data: dict) -> ContactInteraction:
    """Record one contact with ``contact``; it becomes their last contact if it is the
    latest."""
    interaction = ContactInteraction(
        centre=contact.centre,
        contact=contact,
        occurred_on=data.get("occurred_on"),
        purpose=data.get("purpose", ""),
        outcome=data.get("outcome", ""),
        follow_up=data.get("follow_up", ""),
    )
    _checked(interaction, exclude=("contact",))
    interaction.save()
    NetworkContact.objects.filter(pk=contact.pk).exclude(last_contact__gte=interaction.occurred_on).update(
        last_contact=interaction.occurred_on
    )
    return interaction


@dataclass(frozen=True)
class ReviewLine:
    """What the learner said of one contact (or a group they name) in a review."""

    value: str
    effort: str
    decision: str
    comment: str = ""
    contact: NetworkContact | None = None
    group: str = ""


@transaction.atomic
def record_review(
    *, learner: Learner, reviewed_on: date, reflection: str, future_actions: str, lines: list[ReviewLine]
) -> NetworkReview:
    """A dated review of the learner's network, kept as written; or ``Refused``, naming every
    problem with its lines."""
    review = NetworkReview(
        centre=learner.centre,
        learner=learner,
        reviewed_on=reviewed_on,
        reflection=reflection,
        future_actions=future_actions,
    )
    _checked(review, exclude=("learner",))
    problems = []
    if not lines:
        problems.append("Say the value, effort and what to do for at least one contact or group.")
    groups = [line.group.strip().casefold() for line in lines if not line.contact]
    if len(groups) != len(set(groups)):
        problems.append("Each group can be reviewed once: give the groups different names.")
    if any(line.contact and line.contact.learner_id != learner.pk for line in lines):
        problems.append("You can review only your own contacts.")
    if problems:
        raise Refused(*problems)
    review.save()
    entries = [
        NetworkReviewEntry(
            centre=learner.centre,
            review=review,
            contact=line.contact,
            contact_number=line.contact.number if line.contact else None,
            contact_sector=line.contact.sector if line.contact else "",
            group="" if line.contact else line.group.strip(),
            value=line.value,
            effort=line.effort,
            decision=line.decision,
            comment=line.comment.strip(),
        )
        for line in lines
    ]
    for entry in entries:
        _checked(entry, exclude=("review", "contact"))
    NetworkReviewEntry.objects.bulk_create(entries)
    return review


@transaction.atomic
def save_guidelines(*, learner: Learner, body: str) -> NetworkingGuidelines:
    guidelines = NetworkingGuidelines.objects.select_for_update().filter(learner=learner).first()
    if guidelines is None:
        guidelines = NetworkingGuidelines(centre=learner.centre, learner=learner)
    guidelines.body = body
    _checked(guidelines, exclude=("learner",))
    guidelines.save()
    return guidelines


def start_networking_evidence(
    *, learner: Learner, actor, details: dict, creation_token: uuid.UUID
) -> tuple[EvidenceItem, bool]:
    """A draft evidence item presenting one of the learner's networking records, titled
    after it; the learner then maps it to criteria and submits it like any other."""
    details = record_source(learner=learner, details=details)
    title = RECORD_TITLES[details["record"]]
    if details["record"] == Record.REVIEW:
        review = NetworkReview.objects.get(pk=details["review"])
        title = f"{title} of {long_date(review.reviewed_on)}"
    return create_evidence_item(
        learner=learner,
        actor=actor,
        kind=EvidenceKind.NETWORKING_RECORD,
        title=title,
        body="",
        details=details,
        creation_token=creation_token,
    )


def export_contacts(*, learner: Learner, actor) -> bytes:
    """The learner's own register, with every interaction, as a workbook of two sheets.
    It is theirs, so it names everyone; cells are made safe to open in a spreadsheet."""
    contacts = NetworkContact.objects.filter(learner=learner).prefetch_related("interactions")
    register = tablib.Dataset(
        headers=[
            "Reference",
            "Individual or organisation",
            "Name",
            "Organisation",
            "Sector",
            "Email",
            "Telephone",
            "How you met",
            "What they offer you",
            "What you offer them",
            "Benefit to your organisation",
            "Strength of the relationship",
            "Last contact",
            "Next action",
            "Consented to sharing",
            "Consent recorded on",
        ],
        title="Contacts",
    )
    interactions = tablib.Dataset(
        headers=["Contact", "Date", "Purpose", "Outcome", "Follow-up"], title="Interactions"
    )
    for contact in contacts:
        register.append(
            [
                neutralise(value)
                for value in (
                    contact.reference,
                    contact.get_kind_display(),
                    contact.name,
                    contact.organisation,
                    contact.get_sector_display(),
                    contact.email,
                    contact.phone,
                    contact.how_met,
                    contact.they_offer,
                    contact.you_offer,
                    contact.organisation_benefit,
                    contact.get_strength_display(),
                    contact.last_contact.isoformat() if contact.last_contact else "",
                    contact.next_action,
                    "Yes" if contact.consented else "No",
                    contact.consent_recorded_on.isoformat() if contact.consent_recorded_on else "",
                )
            ]
        )
        for interaction in contact.interactions.all():
            interactions.append(
                [
                    neutralise(value)
                    for value in (
                        contact.reference,
                        interaction.occurred_on.isoformat(),
                        interaction.purpose,
                        interaction.outcome,
                        interaction.follow_up,
                    )
                ]
            )
    record_audit(
        actor=actor,
        verb="network.contacts_exported",
        target=learner,
        centre=learner.centre,
        learner=learner,
        details={"contacts": len(register)},
    )
    return tablib.Databook([register, interactions]).export("xlsx")
