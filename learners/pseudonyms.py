"""Taking a person's identity out of what a learner wrote: a networking contact's, or (in
a subject access export) a member of staff's.

A contact who has not consented to sharing appears to everyone but the learner as their
pseudonym ("Contact C7, finance sector"). Their identifying fields are emptied, and in the
learner's free text (never in labels, dates or codes) their name, email address and
telephone number are replaced by "Contact C7": the full name however it is spaced or
whichever apostrophe it uses, an individual's first name or surname on its own (unless
a consented contact shares it), and the number however it is written.

One regular expression covers every identity, so a record is read once whatever the
number of contacts.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

# Keys, anywhere in a record or snapshot, whose values are the learner's own words.
FREE_TEXT = frozenset(
    {
        "title",
        "body",
        "note",
        "how_met",
        "they_offer",
        "you_offer",
        "organisation_benefit",
        "next_action",
        "purpose",
        "outcome",
        "follow_up",
        "reflection",
        "future_actions",
        "comment",
        "subject",
    }
)
APOSTROPHES = "'’‘`"
NAME_WORD = re.compile(rf"[\w{APOSTROPHES}-]+")


@dataclass(frozen=True)
class Identity:
    """What identifies one contact, and what stands in for it."""

    contact_id: int
    number: int
    pseudonym: str
    stand_in: str
    is_organisation: bool
    names: frozenset[str]
    emails: frozenset[str]
    phones: frozenset[str]

    @classmethod
    def of(cls, contact, *, recorded: Iterable[dict] = ()) -> "Identity":
        """``contact``'s identity now, and as ``recorded`` in earlier snapshots (they may
        have been renamed since)."""
        entries = [{"name": contact.name, "email": contact.email, "phone": contact.phone}, *recorded]
        return cls(
            contact_id=contact.pk,
            number=contact.number,
            pseudonym=contact.pseudonym,
            stand_in=f"Contact C{contact.number}",
            is_organisation=contact.kind == "organisation",
            names=frozenset(e["name"].strip() for e in entries if e.get("name", "").strip()),
            emails=frozenset(e["email"].strip() for e in entries if e.get("email", "").strip()),
            phones=frozenset(e["phone"] for e in entries if e.get("phone")),
        )


def _name_pattern(name: str) -> str:
    words = NAME_WORD.findall(name)
    return r"\s+".join(re.sub(rf"[{APOSTROPHES}]", f"[{APOSTROPHES}]", re.escape(word)) for word in words)


def _phone_pattern(phone: str) -> str | None:
    """The number's digits with any spacing or punctuation between them, after a 0, +44,
    0044 or +44 (0) for a UK number, or its full international form otherwise."""
    try:
        number = phonenumbers.parse(phone, "GB")
    except phonenumbers.NumberParseException:
        return None
    between = r"[\s\-.()]*"
    national = between.join(str(phonenumbers.national_significant_number(number)))
    country = str(number.country_code)
    prefix = rf"(?:\+|00){between}{between.join(country)}{between}(?:\(0\){between})?"
    if number.country_code == 44:
        prefix += r"|0"
    return rf"(?:{prefix}){between}{national}"


class Redactor:
    """Replaces every one of ``identities`` in text by its stand-in. Single words of an
    individual's name are left alone where they are also in a name in ``keep``."""

    def __init__(self, identities: Iterable[Identity], *, keep: Iterable[str] = ()):
        kept_words = {word.casefold() for name in keep for word in NAME_WORD.findall(name)}
        alternatives: list[tuple[str, str]] = []
        for identity in identities:
            for email in identity.emails:
                alternatives.append((re.escape(email), identity.stand_in))
            for phone in identity.phones:
                if pattern := _phone_pattern(phone):
                    alternatives.append((pattern, identity.stand_in))
            for name in identity.names:
                alternatives.append((_name_pattern(name), identity.stand_in))
                if not identity.is_organisation:
                    alternatives.extend(
                        (_name_pattern(word), identity.stand_in)
                        for word in NAME_WORD.findall(name)
                        if len(word) >= 3 and word.casefold() not in kept_words
                    )
        # Longest first, so a full name or an address goes whole before any word of it.
        alternatives.sort(key=lambda alternative: len(alternative[0]), reverse=True)
        self.stand_ins = {f"i{index}": stand_in for index, (_, stand_in) in enumerate(alternatives)}
        self.pattern = (
            re.compile(
                r"(?<!\w)(?:"
                + "|".join(f"(?P<i{index}>{source})" for index, (source, _) in enumerate(alternatives))
                + r")(?!\w)",
                re.IGNORECASE,
            )
            if alternatives
            else None
        )

    def text(self, value: str) -> str:
        if self.pattern is None:
            return value
        return self.pattern.sub(lambda match: self.stand_ins[match.lastgroup], value)

    def everywhere(self, value):
        """``value`` with every string in it redacted, whatever its key."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.everywhere(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.everywhere(item) for item in value]
        return value

    def record(self, value, key: str = ""):
        """``value`` (a record or snapshot) with the learner's free text redacted."""
        if isinstance(value, str):
            return self.text(value) if key in FREE_TEXT else value
        if isinstance(value, dict):
            return {k: self.record(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.record(item, key) for item in value]
        return value


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
