"""The bundle's anchors, and the URLs its renderer fetches: the one place their names are
made and read back.

The template names its elements with these (through the ``bundle_anchors`` template
tags), WeasyPrint reports on which page each named element landed, and the renderer
reads the names back here to know where a candidate starts, where an item starts, which
pages are kept for a learner's PDF and where a page reference's number goes. Each kind
checks its parts as it is made, so a name that would not read back cannot be made.
"""

import re
from dataclasses import dataclass

# Whole numbers as Python writes them (no sign, no leading zero): each reads back as itself.
_WHOLE = r"0|[1-9]\d*"
_DIGITS = re.compile(r"\d+")
# A part of a page slot's place: a candidate number, a criterion code, a counter.
_PLACE_PART = re.compile(r"[0-9A-Za-z.]+")


def _whole(value, what: str) -> None:
    if type(value) is not int or value < 0:
        raise ValueError(f"{what} must be a whole number, not {value!r}")


@dataclass(frozen=True)
class Candidate:
    """Where a candidate's section starts."""

    number: str

    def __post_init__(self):
        if not isinstance(self.number, str) or not _DIGITS.fullmatch(self.number):
            raise ValueError(f"A candidate number is digits, not {self.number!r}")

    @property
    def id(self) -> str:
        return f"candidate-{self.number}"


@dataclass(frozen=True)
class EvidenceItem:
    """Where one version of a candidate's evidence item starts."""

    candidate: str
    item: int
    version: int

    def __post_init__(self):
        Candidate(self.candidate)
        _whole(self.item, "An evidence item's key")
        _whole(self.version, "A version number")

    @property
    def id(self) -> str:
        return f"item-{self.candidate}-{self.item}-{self.version}"


@dataclass(frozen=True)
class AppendedPage:
    """A page kept for page ``page`` (from 1) of a learner's PDF, the evidence file ``file``."""

    file: int
    page: int

    def __post_init__(self):
        _whole(self.file, "An evidence file's key")
        _whole(self.page, "A page number")

    @property
    def id(self) -> str:
        return f"appended-{self.file}-{self.page}"


@dataclass(frozen=True)
class Manifest:
    """Where the manifest starts (it ends the last candidate's pages)."""

    @property
    def id(self) -> str:
        return "manifest"


MANIFEST = Manifest()


@dataclass(frozen=True)
class PageSlot:
    """The space kept after a reference to ``target`` for the number of the page it is on;
    ``place`` (a few parts joined by "-": numbers, codes) keeps each slot's name its own."""

    place: str
    target: "Candidate | EvidenceItem | Manifest"

    def __post_init__(self):
        if not isinstance(self.place, str) or not all(
            _PLACE_PART.fullmatch(part) for part in self.place.split("-")
        ):
            raise ValueError(f"A page slot's place is parts of letters, digits and dots, not {self.place!r}")
        if not isinstance(self.target, Candidate | EvidenceItem | Manifest):
            raise ValueError(
                f"A page slot refers to a candidate, an item or the manifest, not {self.target!r}"
            )

    @classmethod
    def at(cls, target, *parts) -> "PageSlot":
        return cls("-".join(str(part) for part in parts), target)

    @property
    def id(self) -> str:
        # The place has no "--" (its parts are never empty), so the first one ends it.
        return f"slot-{self.place}--{self.target.id}"


Anchor = Candidate | EvidenceItem | AppendedPage | Manifest | PageSlot

_READERS = [
    (re.compile(r"candidate-(\d+)"), lambda m: Candidate(m[1])),
    (re.compile(rf"item-(\d+)-({_WHOLE})-({_WHOLE})"), lambda m: EvidenceItem(m[1], int(m[2]), int(m[3]))),
    (re.compile(rf"appended-({_WHOLE})-({_WHOLE})"), lambda m: AppendedPage(int(m[1]), int(m[2]))),
    (re.compile(r"manifest"), lambda m: MANIFEST),
]
_SLOT = re.compile(r"slot-([0-9A-Za-z.]+(?:-[0-9A-Za-z.]+)*)--(.+)")


def anchor_id(anchor: Anchor) -> str:
    """The element id (and, after "#", the link) that names ``anchor``."""
    return anchor.id


def parse_anchor(name: str) -> Anchor | None:
    """The anchor an element id names, or ``None`` for a name that is none of the bundle's."""
    if match := _SLOT.fullmatch(name):
        target = parse_anchor(match[2])
        if isinstance(target, Candidate | EvidenceItem | Manifest):
            return PageSlot(match[1], target)
        return None
    for pattern, read in _READERS:
        if match := pattern.fullmatch(name):
            return read(match)
    return None


# The URLs the layout asks the renderer's fetcher for: the stylesheet and the bundle's
# files, each a path relative to the bundle, so that the HTML the renderer lays out is the
# HTML ``export_bundle --html`` writes, beside those files, for any engine to open.
STYLESHEET_URL = "bundle.css"
# What a file is printed as (its type), and the name's ending a browser expects of it.
FILE_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
_FILE_URL = re.compile(rf"files/({_WHOLE})\.({'|'.join(FILE_EXTENSIONS.values())})")


def file_url(file_pk: int, content_type: str) -> str:
    _whole(file_pk, "An evidence file's key")
    if content_type not in FILE_EXTENSIONS:
        raise ValueError(f"The bundle prints images only, not {content_type!r}")
    return f"files/{file_pk}.{FILE_EXTENSIONS[content_type]}"


def parse_file_url(url: str) -> int | None:
    """The key of the evidence file ``url`` names, or ``None`` if it names none."""
    return int(match[1]) if (match := _FILE_URL.fullmatch(url)) else None
