"""Whom a learner's words must not name: their contacts who have not consented to sharing.

Networking answers ``common.redaction`` (registered in ``NetworkingConfig.ready()``): the
redactor machinery is shared, but who is hidden, and how a contact's entry in a networking
record is shown by pseudonym only, is known here.
"""

from collections.abc import Iterable

from common.redaction import Identity, Withheld
from learners.models import Learner
from networking.models import NetworkContact


def contact_identity(contact: NetworkContact, *, recorded: Iterable[dict] = ()) -> Identity:
    """``contact``'s identity now, and as ``recorded`` in earlier snapshots (they may have
    been renamed since)."""
    entries = [{"name": contact.name, "email": contact.email, "phone": contact.phone}, *recorded]
    return Identity(
        contact_id=contact.pk,
        number=contact.number,
        pseudonym=contact.pseudonym,
        stand_in=f"Contact C{contact.number}",
        is_organisation=contact.kind == "organisation",
        names=frozenset(e["name"].strip() for e in entries if e.get("name", "").strip()),
        emails=frozenset(e["email"].strip() for e in entries if e.get("email", "").strip()),
        phones=frozenset(e["phone"] for e in entries if e.get("phone")),
    )


def withheld_contacts(learner_ids: set[int]) -> dict[int, Withheld]:
    """For each of the learners with a contact who has not consented: those contacts, and
    the names whose words stay (their consented contacts' and their own). One query for
    the contacts whatever the learners' number, and one for the learners' names if any
    has a contact."""
    contacts: dict[int, list[NetworkContact]] = {}
    for contact in NetworkContact.objects.filter(learner_id__in=learner_ids).order_by("number"):
        contacts.setdefault(contact.learner_id, []).append(contact)
    names = (
        dict(
            (pk, f"{first} {last}")
            for pk, first, last in Learner.objects.filter(pk__in=list(contacts)).values_list(
                "pk", "first_name", "last_name"
            )
        )
        if contacts
        else {}
    )
    withheld = {}
    for learner_id, theirs in contacts.items():
        hidden = tuple(contact_identity(contact) for contact in theirs if not contact.consented)
        if hidden:
            keep = {contact.name for contact in theirs if contact.consented} | {names[learner_id]}
            withheld[learner_id] = Withheld(hidden, tuple(sorted(keep)))
    return withheld


def hide_identities(record: dict, identities: Iterable[Identity]) -> dict:
    """``record`` (or a version's whole snapshot) with each identity's contact entry and
    review lines showing only their pseudonym."""
    by_id = {identity.contact_id: identity for identity in identities}
    by_ref = {f"C{identity.number}": identity for identity in by_id.values()}
    if "network" in record:
        return {**record, "network": hide_identities(record["network"], by_id.values())}
    record = dict(record)
    if "contacts" in record:
        record["contacts"] = [
            _hidden_contact(entry, by_id[entry["id"]]) if entry["id"] in by_id else entry
            for entry in record["contacts"]
        ]
    for key in ("review", "previous"):
        if record.get(key):
            record[key] = {
                **record[key],
                "entries": [
                    {**entry, "subject": by_ref[entry["ref"]].pseudonym}
                    if not entry["is_group"] and entry["ref"] in by_ref
                    else entry
                    for entry in record[key]["entries"]
                ],
            }
    return record


def _hidden_contact(entry: dict, identity: Identity) -> dict:
    return {
        **entry,
        "identified": False,
        "label": identity.pseudonym,
        "name": "",
        "organisation": "",
        "email": "",
        "phone": "",
    }


def recorded_identities(snapshot: dict, contact_id: int) -> list[dict]:
    """How a snapshot recorded one contact, if it named them."""
    contacts = snapshot.get("network", snapshot).get("contacts", [])
    return [entry for entry in contacts if entry.get("id") == contact_id and entry.get("identified")]
