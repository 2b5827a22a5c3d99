"""A bundle too big to email, as parts of at most a given size, each page labelled
"Part k of N", each part holding only the images and fonts its own pages draw.

WeasyPrint writes one resources dictionary shared by every page, naming every image and
font of the bundle, so a page copied out as it is carries all of them: here each page
gets its own, pruned to what its content uses."""

import io
import itertools
import re
from dataclasses import dataclass

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from moderation.bundle.pdf_objects import helvetica, write_over
from moderation.bundle.render import RenderedBundle

# What a part adds beyond the objects its pages use: its catalogue, page tree, outline,
# metadata and cross-reference table, and each page's own dictionary and label.
PART_OVERHEAD_BYTES = 8_000
PART_PAGE_OVERHEAD_BYTES = 600
PART_LABEL_FONT_SIZE = 8


@dataclass
class _Run:
    """Pages that go into a part together: a whole candidate, or (for a candidate too
    big for one part) some of their evidence items."""

    first: int
    last: int
    candidate: str
    continued: bool  # a later piece of a candidate split between parts

    @property
    def pages(self) -> range:
        return range(self.first, self.last + 1)


class _PartSizer:
    """Each page of the bundle with only the resources it draws, and how many bytes the
    objects a set of pages needs take when written.

    WeasyPrint writes one resources dictionary shared by every page, naming every image
    and font of the bundle; a page copied out with it carries all of them. Here each page
    (and each form or pattern it draws) gets its own dictionary, holding only the names
    its content stream uses, so a part is written with its own pages' objects only."""

    def __init__(self, reader: PdfReader):
        self.sizes: dict[int, int] = {}
        self.pruned: set[int] = set()
        self.needs = [self._prune_and_measure(page) for page in reader.pages]

    def bytes_for(self, pages) -> int:
        pages = list(pages)
        objects = set().union(*(self.needs[page] for page in pages))
        return (
            PART_OVERHEAD_BYTES
            + PART_PAGE_OVERHEAD_BYTES * len(pages)
            + sum(self.sizes[number] for number in objects)
        )

    def _prune_and_measure(self, page: PageObject) -> set[int]:
        page[NameObject("/Resources")] = self._own_resources(page.get("/Resources"), _content_of(page))
        needs: set[int] = set()
        for key in ("/Resources", "/Contents"):
            if key in page:
                self._reach(page.raw_get(key), needs)
        return needs

    def _own_resources(self, resources, content: bytes) -> DictionaryObject:
        used = {_name(raw) for raw in re.findall(rb"/([^\s/\[\]()<>{}%]+)", content)}
        own = DictionaryObject()
        for category, entries in (resources.get_object() if resources is not None else {}).items():
            entries = entries.get_object()
            if not isinstance(entries, DictionaryObject):
                own[NameObject(category)] = entries  # /ProcSet
                continue
            kept = DictionaryObject({NameObject(k): v for k, v in entries.items() if k[1:] in used})
            for value in kept.values():
                self._prune_nested(value)
            if kept:
                own[NameObject(category)] = kept
        return own

    def _prune_nested(self, value) -> None:
        """A form XObject or a tiling pattern has a content stream of its own, with its
        own resources (in WeasyPrint's output, the shared dictionary again)."""
        if not isinstance(value, IndirectObject) or value.idnum in self.pruned:
            return
        self.pruned.add(value.idnum)
        stream = value.get_object()
        if isinstance(stream, StreamObject) and "/Resources" in stream:
            stream[NameObject("/Resources")] = self._own_resources(stream["/Resources"], stream.get_data())

    def _reach(self, value, found: set[int]) -> None:
        """Every indirect object ``value`` leads to (not back up the page tree, nor through
        links to other pages), into ``found``, each measured as it will be written."""
        if isinstance(value, IndirectObject):
            if value.idnum in found:
                return
            found.add(value.idnum)
            number, value = value.idnum, value.get_object()
            if number not in self.sizes:
                written = io.BytesIO()
                value.write_to_stream(written)
                # "n 0 obj … endobj" and its line in the cross-reference table.
                self.sizes[number] = len(written.getvalue()) + 40
        if isinstance(value, DictionaryObject):
            for key, item in value.items():
                if key not in {"/Parent", "/P", "/Annots", "/Dest"}:
                    self._reach(item, found)
        elif isinstance(value, ArrayObject):
            for item in value:
                self._reach(item, found)


def _content_of(page: PageObject) -> bytes:
    contents = page.get_contents()
    return contents.get_data() if contents is not None else b""


def _name(raw: bytes) -> str:
    """A name as it appears in a content stream (``#xx`` escapes and all), as pypdf
    gives it in a dictionary's keys."""
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), raw).decode("latin-1")


def _runs(bundle: RenderedBundle, sizer: _PartSizer, budget: int, last_page: int) -> list[_Run]:
    """The bundle in runs that may not be split: each candidate (the cover goes with the
    first, the manifest with the last), or, for a candidate over ``budget`` on their own,
    their pieces between evidence items (and, for an item over it, its pages)."""
    runs = []
    for index, (number, first, last) in enumerate(bundle.candidate_pages):
        first = 0 if index == 0 else first
        last = last_page if index == len(bundle.candidate_pages) - 1 else last
        if sizer.bytes_for(range(first, last + 1)) <= budget:
            runs.append(_Run(first, last, number, continued=False))
            continue
        starts = [first, *(p for p in bundle.item_pages.get(number, []) if first < p <= last)]
        for start, end in itertools.pairwise([*sorted(set(starts)), last + 1]):
            if sizer.bytes_for(range(start, end)) <= budget:
                runs.append(_Run(start, end - 1, number, continued=start > first))
            else:
                runs.extend(_Run(page, page, number, continued=page > first) for page in range(start, end))
    return runs


def _pack(runs: list[_Run], sizer: _PartSizer, budget: int) -> list[list[_Run]]:
    groups: list[list[_Run]] = []
    for run in runs:
        if groups and sizer.bytes_for(page for r in [*groups[-1], run] for page in r.pages) <= budget:
            groups[-1].append(run)
        else:
            groups.append([run])
    return groups


def _write_part(reader: PdfReader, runs: list[_Run], *, number: int, count: int) -> bytes:
    """The runs' pages as one PDF, each page labelled "Part k of N" (and, where a
    candidate carries on from the part before, "Candidate NNNN, continued")."""
    writer = PdfWriter()
    writer.append(reader, pages=(runs[0].first, runs[-1].last + 1))
    title = reader.metadata.title if reader.metadata and reader.metadata.title else "Moderation bundle"
    writer.add_metadata({"/Title": f"{title}, part {number} of {count}"})
    font = writer._add_object(helvetica())
    for run in runs:
        if run.continued and run is runs[0]:
            writer.add_outline_item(title=f"Candidate {run.candidate}, continued", page_number=0)
        for page_index in run.pages:
            page = writer.pages[page_index - runs[0].first]
            label = f"Part {number} of {count}"
            if run.continued:
                label += f" \xb7 Candidate {run.candidate}, continued"
            operators = f"BT /PartLabel {PART_LABEL_FONT_SIZE} Tf 0 g 1 0 0 1 42.52 31 Tm ({label}) Tj ET\n"
            write_over(writer, page, fonts={"/PartLabel": font}, operators=operators.encode("latin-1"))
    content = io.BytesIO()
    writer.write(content)
    return content.getvalue()


def split_into_parts(bundle: RenderedBundle, *, max_bytes: int) -> list[bytes]:
    """The bundle as parts of at most ``max_bytes`` each, for sending by email, labelled
    "Part k of N" on every page, each holding only the images and fonts its own pages
    use. Parts break between candidates; only a candidate too big for a part on their
    own is split inside, between evidence items (an item too big on its own, between its
    pages), and the part that carries on with them says "Candidate NNNN, continued". A
    single page bigger than ``max_bytes`` is a part of its own, over the limit."""
    if len(bundle.pdf) <= max_bytes or not bundle.candidate_pages:
        return [bundle.pdf]
    reader = PdfReader(io.BytesIO(bundle.pdf))
    sizer = _PartSizer(reader)
    last_page = len(reader.pages) - 1
    budget = max_bytes
    for _ in range(4):
        groups = _pack(_runs(bundle, sizer, budget, last_page), sizer, budget)
        parts = [
            _write_part(reader, group, number=n, count=len(groups)) for n, group in enumerate(groups, start=1)
        ]
        over = [
            len(part)
            for part, group in zip(parts, groups, strict=True)
            if len(part) > max_bytes and (len(group) > 1 or group[0].first != group[0].last)
        ]
        if not over:
            return parts
        # The estimate fell short: aim lower by as much as it missed.
        budget = int(budget * max_bytes / max(over) * 0.98)
    return parts
