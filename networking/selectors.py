"""Reads of a learner's networking records, and the records as evidence presents them.

A networking evidence item names which record it presents (the contact register, one
dated review, or the learner's guidelines). ``network_record`` builds that record as plain
data: live for the learner's own draft, and frozen into the submitted version's snapshot.
Built for anyone but the learner (``pseudonymise=True``), a contact who has not consented
to sharing appears only as their pseudonym, and their name, email and telephone are taken
out of every text in the record, so neither an assessor's page, a moderation bundle nor an
export can show them.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from common.errors import Refused
from common.redaction import redactor_for
from learners.models import Enrolment, Learner
from networking.map import MapContact, network_map_svg
from networking.models import (
    ContactInteraction,
    NetworkContact,
    NetworkingGuidelines,
    NetworkingPrompt,
    NetworkReview,
    NetworkReviewEntry,
    pseudonym,
)


class Record:
    REGISTER = "register"
    REVIEW = "review"
    GUIDELINES = "guidelines"


RECORD_TITLES = {
    Record.REGISTER: "Contact register and network map",
    Record.REVIEW: "Network review",
    Record.GUIDELINES: "Guidelines for working with networks",
}

DEFAULT_PROMPT = (
    "<p>Write guidelines that someone in your organisation could follow when they build and use "
    "a network of contacts. Cover how to find and approach contacts, what may and may not be "
    "shared with them, how contacts’ details are recorded, kept and deleted (with their consent), "
    "and how the guidelines follow your organisation’s own procedures.</p>"
)


def networking_enabled(*, learner: Learner) -> bool:
    """Whether the learner keeps networking records: a unit they are (or were) enrolled on
    asks for them, or they already have contacts (which they can always export and
    delete). One query."""
    return Learner.objects.filter(
        Q(Exists(Enrolment.objects.filter(learner=OuterRef("pk"), unit__networking_records=True)))
        | Q(Exists(NetworkContact.objects.filter(learner=OuterRef("pk")))),
        pk=learner.pk,
    ).exists()


def contacts_of(*, learner: Learner) -> QuerySet[NetworkContact]:
    return NetworkContact.objects.filter(learner=learner).annotate(interaction_count=Count("interactions"))


def interactions_of(*, contact: NetworkContact) -> QuerySet:
    """The contact's interactions, in the model's order (latest first)."""
    return contact.interactions.all()


def reviews_of(*, learner: Learner) -> QuerySet[NetworkReview]:
    return NetworkReview.objects.filter(learner=learner).annotate(entry_count=Count("entries"))


def guidelines_of(*, learner: Learner) -> NetworkingGuidelines | None:
    return NetworkingGuidelines.objects.filter(learner=learner).first()


def previous_review(review: NetworkReview) -> NetworkReview | None:
    """The review the learner made before ``review``."""
    earlier = NetworkReview.objects.filter(learner_id=review.learner_id, reviewed_on__lt=review.reviewed_on)
    same_day = NetworkReview.objects.filter(
        learner_id=review.learner_id, reviewed_on=review.reviewed_on, pk__lt=review.pk
    )
    return (same_day | earlier).order_by("-reviewed_on", "-pk").first()


def record_source(*, learner: Learner, details: dict) -> dict:
    """``details`` of a networking evidence item, checked to name a record of the learner's
    own, or ``Refused``."""
    record = details.get("record")
    if record in (Record.REGISTER, Record.GUIDELINES):
        return {"record": record}
    if record == Record.REVIEW:
        review_id = details.get("review")
        if (
            isinstance(review_id, int)
            and NetworkReview.objects.filter(learner=learner, pk=review_id).exists()
        ):
            return {"record": record, "review": review_id}
        raise Refused("That network review is not one of yours.")
    raise Refused("Choose which networking record to use as evidence.")


def describe_source(details: dict) -> str:
    return RECORD_TITLES.get(details.get("record"), "Networking record")


# Building records -------------------------------------------------------------------------


def network_record(*, learner: Learner, details: dict, pseudonymise: bool) -> dict:
    """The record ``details`` names, as data a template, a snapshot or an export can hold."""
    record = details.get("record")
    if record == Record.REGISTER:
        built = _register(learner)
    elif record == Record.REVIEW:
        review = NetworkReview.objects.filter(learner=learner, pk=details.get("review")).first()
        if review is None:
            raise Refused("The network review this evidence presents has been deleted.")
        built = _review_record(learner, review)
    elif record == Record.GUIDELINES:
        built = _guidelines(learner)
    else:
        raise Refused("This evidence does not name a networking record.")
    return pseudonymised(built, learner=learner) if pseudonymise else built


def _register(learner: Learner) -> dict:
    contacts = NetworkContact.objects.filter(learner=learner).prefetch_related(
        Prefetch("interactions", queryset=ContactInteraction.objects.order_by("-occurred_on", "-pk"))
    )
    return {"record": Record.REGISTER, "contacts": [_contact_entry(contact) for contact in contacts]}


def _contact_entry(contact: NetworkContact) -> dict:
    return {
        "id": contact.pk,
        "ref": contact.reference,
        "kind": contact.kind,
        "sector": contact.sector,
        "sector_label": contact.get_sector_display(),
        "strength": contact.strength,
        "strength_label": contact.get_strength_display(),
        "consented": contact.consented,
        "identified": True,
        "label": contact.name,
        "name": contact.name,
        "organisation": contact.organisation,
        "email": contact.email,
        "phone": contact.phone,
        "how_met": contact.how_met,
        "they_offer": contact.they_offer,
        "you_offer": contact.you_offer,
        "organisation_benefit": contact.organisation_benefit,
        "last_contact": contact.last_contact.isoformat() if contact.last_contact else "",
        "next_action": contact.next_action,
        "interactions": [
            {
                "occurred_on": interaction.occurred_on.isoformat(),
                "purpose": interaction.purpose,
                "outcome": interaction.outcome,
                "follow_up": interaction.follow_up,
            }
            for interaction in contact.interactions.all()
        ],
    }


def _review_record(learner: Learner, review: NetworkReview) -> dict:
    previous = previous_review(review)
    return {
        "record": Record.REVIEW,
        "review": _review_entry(review),
        "previous": _review_entry(previous) if previous else None,
    }


ENTRY_ORDER = ("contact_number", "group", "pk")


def review_records_of(*, learner: Learner) -> list[dict]:
    """Every review of ``learner`` as data, with its lines: in two queries however many
    reviews (a subject access export holds them all)."""
    reviews = NetworkReview.objects.filter(learner=learner).prefetch_related(
        Prefetch(
            "entries",
            queryset=NetworkReviewEntry.objects.select_related("contact").order_by(*ENTRY_ORDER),
            to_attr="ordered_entries",
        )
    )
    return [_review_entry(review) for review in reviews]


def _review_entry(review: NetworkReview) -> dict:
    entries = getattr(review, "ordered_entries", None)
    if entries is None:
        entries = review.entries.select_related("contact").order_by(*ENTRY_ORDER)
    return {
        "id": review.pk,
        "reviewed_on": review.reviewed_on.isoformat(),
        "reflection": review.reflection,
        "future_actions": review.future_actions,
        "entries": [
            {
                "key": f"group:{entry.group.casefold()}"
                if entry.group
                else f"contact:{entry.contact_number}",
                "contact": entry.contact_id,
                "ref": f"C{entry.contact_number}" if entry.contact_number else "",
                "subject": entry.group or _entry_subject(entry),
                "is_group": bool(entry.group),
                "value": entry.get_value_display(),
                "effort": entry.get_effort_display(),
                "decision": entry.get_decision_display(),
                "comment": entry.comment,
            }
            for entry in entries
        ],
    }


def _entry_subject(entry: NetworkReviewEntry) -> str:
    if entry.contact is not None:
        return entry.contact.name
    return f"{pseudonym(entry.contact_number, entry.contact_sector)} (deleted)"


def networking_prompt(*, centre) -> NetworkingPrompt | None:
    """The centre's prompt for its learners' networking guidelines, if it has written one."""
    return NetworkingPrompt.objects.filter(centre=centre).first()


def guidelines_prompt(*, centre) -> tuple[str, str]:
    """The centre's prompt for learners' guidelines (rich text), and the outline a learner's
    guidelines start from."""
    prompt = networking_prompt(centre=centre)
    if prompt is None:
        return DEFAULT_PROMPT, ""
    return prompt.prompt, prompt.outline


def _guidelines(learner: Learner) -> dict:
    guidelines = guidelines_of(learner=learner)
    return {
        "record": Record.GUIDELINES,
        "prompt": guidelines_prompt(centre=learner.centre)[0],
        "body": guidelines.body if guidelines else "",
    }


def record_gaps(record: dict) -> list[str]:
    """What the record lacks to be worth submitting."""
    if record["record"] == Record.REGISTER and not record["contacts"]:
        return ["Add at least one contact to your register before you submit it."]
    if record["record"] == Record.GUIDELINES and not record["body"].strip():
        return ["Write your guidelines before you submit them."]
    return []


def record_as_text(record: dict) -> str:
    """A record as lines of text, to show what changed between two submitted versions."""
    if record["record"] == Record.REGISTER:
        return "\n".join(
            f"{c['ref']} {c['label']} ({c['sector_label']}, {c['strength_label'].lower()}): "
            f"{len(c['interactions'])} interaction(s), last contact {c['last_contact'] or 'none'}"
            for c in record["contacts"]
        )
    if record["record"] == Record.REVIEW:
        review = record["review"]
        return "\n".join(
            [
                f"Review of {review['reviewed_on']}",
                *(
                    f"{e['subject']}: {e['value']} value, {e['effort']} effort, {e['decision']}"
                    for e in review["entries"]
                ),
                review["reflection"],
                review["future_actions"],
            ]
        )
    return record.get("body", "")


# Pseudonymising -----------------------------------------------------------------------------


def pseudonymised(record: dict, *, learner: Learner) -> dict:
    """``record`` (or a version's whole snapshot) as anyone but the learner may see it:
    every contact of theirs who has not consented shown only by pseudonym, everywhere."""
    return redactor_for(learner=learner).snapshot(record)


# Showing records ------------------------------------------------------------------------------


def register_map_svg(contacts: list[dict], *, title: str = "Network map") -> str:
    """The network map of a register record's contacts, labelled as the record labels them
    (a pseudonymised contact by its reference only)."""
    return network_map_svg(
        [
            MapContact(
                label=entry["label"] if entry["identified"] else entry["ref"],
                sector=entry["sector_label"],
                strength=entry["strength"],
                is_organisation=entry["kind"] == NetworkContact.Kind.ORGANISATION,
            )
            for entry in contacts
        ],
        title=title,
    )


@dataclass(frozen=True)
class ReviewChange:
    subject: str
    before: dict | None
    after: dict | None

    @property
    def changed(self) -> bool:
        fields = ("value", "effort", "decision")
        return (self.before is None) != (self.after is None) or any(
            self.before[f] != self.after[f] for f in fields if self.before and self.after
        )


def compare_reviews(older: dict, newer: dict) -> list[ReviewChange]:
    """Each contact or group in either of two reviews (as built by ``network_record``), with
    what each review said of it, newer review's order first."""
    before = {entry["key"]: entry for entry in older["entries"]}
    after = {entry["key"]: entry for entry in newer["entries"]}
    return [
        ReviewChange(
            subject=(after.get(key) or before[key])["subject"], before=before.get(key), after=after.get(key)
        )
        for key in dict.fromkeys([*after, *before])
    ]


def review_for_learner(review: NetworkReview) -> dict:
    """One review as its learner sees it, for comparing any two of theirs."""
    return _review_entry(review)
