"""Taking a person's identity out of what a learner wrote: someone they wrote about who
has not agreed to be named to others, or (in a subject access export) a member of staff.

An ``Identity`` is everything that identifies one person (their names, email addresses and
telephone numbers) and what stands in for it ("Contact C7"). A ``Redactor`` replaces each
of its identities in the learner's free text and file names (never in labels, dates or
codes): the full name however it is spaced, hyphenated (a space, a hyphen, a non-breaking
hyphen, an en dash), accented or cased, whichever apostrophe it uses; each part of an
individual's name on its own (unless someone who may be named, or the learner, shares it);
the email address or its local part; the number however it is written.

``redactor_for`` is the one way anything the staff see is made from what a learner wrote:
every page, export, bundle and archive asks it for the learner's ``Redactor``. Who is
hidden is not known here: the app that keeps the people a learner writes about (their
networking contacts) registers an identity source with ``register_identity_source`` when
Django starts, and ``redactors_for`` asks every source once for a whole set of learners.
With no source registered nobody is hidden. One regular expression covers every identity
of a learner, built once for a set of identities (and kept), so a page of many rows or a
record of many contacts is read once.

Matching runs on a folded copy of the text (accents stripped after NFKD, case folded,
dashes, apostrophes and spaces made one of each), and each match is mapped back to its
span of the original text, which is replaced and otherwise kept exactly as written.
"""

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers

# Keys, anywhere in a record or snapshot, whose values are the learner's own words (an
# item's title, a file's name, what a networking record says). Which keys those are is
# known to the apps that keep the records: each names its own with ``register_free_text``
# when Django starts.
_FREE_TEXT: set[str] = set()
APOSTROPHES = "'’‘`ʼ′"
# Hyphens and dashes people put between the parts of a name.
DASHES = "-‐‑‒–—―−﹣－"
FOLDED = {
    **{ord(c): "'" for c in APOSTROPHES},
    **{ord(c): "-" for c in DASHES},
    ord("_"): " ",  # file names: "Jo_Bloggs.pdf" names Jo Bloggs
}
NAME_PART = re.compile(r"[\w']+")
TITLES = r"(?:mr|mrs|ms|miss|mx|dr|prof)\.?\s+"


def _fold_char(char: str) -> str:
    if (replaced := FOLDED.get(ord(char))) is not None:
        return replaced
    if char.isspace():
        return " "
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> tuple[str, list[int] | None]:
    """``text`` as it is matched, and for each of its characters the index of the
    character of ``text`` it came from (None when each came from its own: plain ASCII)."""
    if text.isascii():
        return text.lower().translate(FOLDED), None
    out, origin = [], []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        out.append(folded)
        origin.extend([index] * len(folded))
    return "".join(out), origin


def folded(text: str) -> str:
    return fold(text)[0]


@dataclass(frozen=True)
class Identity:
    """What identifies one person, and what stands in for it. ``contact_id`` and ``number``
    are the source's own keys for them (a networking contact's id and number)."""

    contact_id: int
    number: int
    pseudonym: str
    stand_in: str
    is_organisation: bool
    names: frozenset[str]
    emails: frozenset[str]
    phones: frozenset[str]


def _part_pattern(part: str) -> str:
    # An apostrophe may be left out: "O'Neill", "ONeill".
    return "'?".join(re.escape(piece) for piece in part.split("'"))


def _parts_pattern(parts: list[str]) -> str:
    # Between the parts: spaces or hyphens of any kind (folded to one), or nothing.
    return r"[\s\-]*".join(_part_pattern(part) for part in parts)


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
        prefix += r"|\(?0\)?"
    return rf"(?:{prefix}){between}{national}"


def _alternatives(identity: Identity, kept_words: set[str]) -> list[str]:
    found = []
    for email in identity.emails:
        email = folded(email)
        found.append(re.escape(email))
        local = email.partition("@")[0]
        if not identity.is_organisation and len(local) >= 3 and local not in kept_words:
            found.append(re.escape(local))
    for phone in identity.phones:
        if pattern := _phone_pattern(phone):
            found.append(pattern)
    for name in identity.names:
        parts = NAME_PART.findall(folded(name))
        if identity.is_organisation:
            found.append(_parts_pattern(parts))
            continue
        # Every run of the name's parts: the whole name, a double-barrelled surname, one
        # part alone (but a short one, or one someone who may be named shares).
        for length in range(len(parts), 0, -1):
            for start in range(len(parts) - length + 1):
                run = parts[start : start + length]
                if length == 1 and run[0] in kept_words:
                    continue
                if length == 1 and len(run[0].strip("'")) < 3:
                    # A short part ("Ng", "Li") alone is too often another word: only
                    # after a title.
                    found.append(TITLES + _parts_pattern(run))
                    continue
                found.append(_parts_pattern(run))
    return found


class Redactor:
    """Replaces every one of ``identities`` in text by its stand-in. Single parts of an
    individual's name are left alone where they are also in a name in ``keep``."""

    def __init__(self, identities: Iterable[Identity], *, keep: Iterable[str] = ()):
        self.identities = tuple(identities)
        kept_words = {part for name in keep for part in NAME_PART.findall(folded(name))}
        alternatives = [
            (source, identity.stand_in)
            for identity in self.identities
            for source in _alternatives(identity, kept_words)
        ]
        # Longest first, so a full name or an address goes whole before any part of it.
        alternatives.sort(key=lambda alternative: len(alternative[0]), reverse=True)
        self.stand_ins = {f"i{index}": stand_in for index, (_, stand_in) in enumerate(alternatives)}
        self.pattern = (
            re.compile(
                r"(?<!\w)(?:"
                + "|".join(f"(?P<i{index}>{source})" for index, (source, _) in enumerate(alternatives))
                + r")(?!\w)"
            )
            if alternatives
            else None
        )

    def text(self, value: str) -> str:
        """``value`` (the learner's words) with every identity replaced."""
        if self.pattern is None or not value:
            return value
        matched, origin = fold(value)
        pieces, kept_from = [], 0
        for match in self.pattern.finditer(matched):
            start, end = match.span()
            if origin is not None:
                start, end = origin[start], origin[end - 1] + 1
            # Accents typed as combining marks belong to the letter before them.
            while end < len(value) and unicodedata.combining(value[end]):
                end += 1
            if start < kept_from:
                continue
            pieces += [value[kept_from:start], self.stand_ins[match.lastgroup]]
            kept_from = end
        return "".join(pieces) + value[kept_from:] if pieces else value

    def file_name(self, value: str) -> str:
        """A file's name as the staff see it. Underscores and dots part words, as spaces do."""
        return self.text(value)

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
            return self.text(value) if key in _FREE_TEXT else value
        if isinstance(value, dict):
            return {k: self.record(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.record(item, key) for item in value]
        return value

    def snapshot(self, snapshot: dict) -> dict:
        """A version's snapshot (or a record kept with one) as the staff see it: each hidden
        person's own entries shown only by their pseudonym (by every source's
        ``hide_entries``), and the learner's words redacted."""
        if not self.identities:
            return snapshot
        for hide_entries in _ENTRY_HIDERS:
            snapshot = hide_entries(snapshot, self.identities)
        return self.record(snapshot)


NOBODY = Redactor(())


# Kept for as many learners as a large grid shows, so its next showing compiles nothing.
@functools.lru_cache(maxsize=2048)
def _redactor(identities: tuple[Identity, ...], keep: tuple[str, ...]) -> Redactor:
    return Redactor(identities, keep=keep)


@dataclass(frozen=True)
class Withheld:
    """Whom a learner's words must not name to anyone else, and the names that may stay
    (a word of a hidden name is kept where it is also a word of one of these)."""

    identities: tuple[Identity, ...]
    keep: tuple[str, ...] = ()


# Given a set of learners' ids, what each of them (who has anyone to hide) withholds: one
# query or a few, whatever their number.
IdentitySource = Callable[[set[int]], dict[int, Withheld]]
# Given a snapshot and the identities to hide, the snapshot with the entries the source's
# app keeps there about those people (a networking contact's entry in a record) showing
# only their pseudonym; it touches nothing else.
EntryHider = Callable[[dict, tuple[Identity, ...]], dict]

_IDENTITY_SOURCES: list[IdentitySource] = []
_ENTRY_HIDERS: list[EntryHider] = []


def register_identity_source(source: IdentitySource, *, hide_entries: EntryHider | None = None) -> None:
    """Have ``source`` asked whom each learner's words must not name, and ``hide_entries``
    applied to every snapshot a learner's ``Redactor`` shows. Called from the
    ``AppConfig.ready()`` of the app that keeps those people; registering again is harmless."""
    if source not in _IDENTITY_SOURCES:
        _IDENTITY_SOURCES.append(source)
    if hide_entries is not None and hide_entries not in _ENTRY_HIDERS:
        _ENTRY_HIDERS.append(hide_entries)


def register_free_text(*keys: str) -> None:
    """Have the values of ``keys``, wherever they are in a record or snapshot, redacted as
    the learner's own words. Called from ``AppConfig.ready()``; registering again is harmless."""
    _FREE_TEXT.update(keys)


def free_text_keys() -> frozenset[str]:
    return frozenset(_FREE_TEXT)


def redactors_for(*, learner_ids: Iterable[int]) -> dict[int, Redactor]:
    """The ``Redactor`` of each of the learners: one ask of each identity source whatever
    their number, and one pattern per set of identities, compiled once and kept."""
    learner_ids = set(learner_ids)
    withheld: dict[int, tuple[list[Identity], set[str]]] = {}
    for source in _IDENTITY_SOURCES:
        for learner_id, theirs in source(learner_ids).items():
            identities, keep = withheld.setdefault(learner_id, ([], set()))
            identities.extend(theirs.identities)
            keep.update(theirs.keep)
    redactors = {}
    for learner_id in learner_ids:
        identities, keep = withheld.get(learner_id, ([], set()))
        redactors[learner_id] = _redactor(tuple(identities), tuple(sorted(keep))) if identities else NOBODY
    return redactors


def redactor_for(*, learner) -> Redactor:
    """How anyone but ``learner`` sees what they wrote: everyone the identity sources
    withhold for them (every contact of theirs who has not consented) replaced by their
    stand-in. Every staff page, export, bundle and archive takes the learner's words and
    file names through it."""
    learner_id = getattr(learner, "pk", learner)
    return redactors_for(learner_ids=[learner_id])[learner_id]
