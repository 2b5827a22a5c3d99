"""The moderation bundle: one PDF a moderator can check without asking the centre
anything, and a ZIP of the original files with their manifest beside it.

WeasyPrint lays out the cover, each candidate's submission cover sheet, recording sheet,
declarations, evidence and IQA record, and the manifest, with an outline entry per
candidate and per evidence item, a running header and "page X of Y". A learner's PDF is
appended in place: the layout reserves one page (with header and page number) for each
of its pages, and pypdf draws the learner's page into that space, so numbering and links
stay right across the whole bundle. Only the page's content is taken, never its links,
scripts, launch actions or embedded files. An encrypted or unreadable PDF is listed as
attached separately, and is in the ZIP.

The renderer fetches nothing but the bundle's own files and Waymark's stylesheet: every
other URL (a file: path, http, a CSS import, an object) is refused by its fetcher.
"""

import csv
import hashlib
import io
import itertools
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from accounts.names import folded
from common.downloads import safe_download_name
from common.spreadsheets import neutralise
from common.text import learner_text_html
from moderation.models import ModerationSample
from moderation.selectors import Candidate
from portfolio.kinds import describe_details
from portfolio.models import EvidenceFile

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "bundle.css"
A4_HEIGHT, A4_WIDTH = 841.89, 595.28
# Space on a reserved page for a learner's page: inside the margins, clear of the
# running header and the page number.
APPENDED_BOX = (42.5, 70.9, A4_WIDTH - 42.5, A4_HEIGHT - 70.9)
PRINTABLE_IMAGES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


class BundleFetcher(URLFetcher):
    """Gives WeasyPrint exactly the bundle's files and stylesheet, and records every URL
    it was asked for; anything else is refused."""

    def __init__(self, files: dict[str, EvidenceFile]):
        super().__init__(allowed_protocols={"bundle"})
        self.files = files
        self.requested: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        if url == "bundle:static/bundle.css":
            return URLFetcherResponse(url, STYLESHEET.read_bytes(), {"Content-Type": "text/css"})
        if (match := re.fullmatch(r"bundle:file/(\d+)", url)) and match[1] in self.files:
            evidence_file = self.files[match[1]]
            printable = evidence_file.print_rendition or evidence_file.file
            with printable.open("rb") as content:
                body = content.read()
            content_type = "image/jpeg" if evidence_file.print_rendition else evidence_file.content_type
            return URLFetcherResponse(url, body, {"Content-Type": content_type})
        raise ValueError(f"The bundle renderer does not fetch {url}")


@dataclass
class AppendedPdf:
    evidence_file: EvidenceFile
    pages: int = 0
    attached_separately: str = ""  # why it could not be appended

    @property
    def page_numbers(self) -> range:
        return range(1, self.pages + 1)


@dataclass
class RenderedBundle:
    pdf: bytes
    archive: bytes
    pages: int
    # Each candidate's pages, first and last (from 0): where the bundle may be split.
    candidate_pages: list[tuple[str, int, int]] = field(default_factory=list)
    # The first page of each candidate's evidence items: where a candidate too big for
    # one part may be split.
    item_pages: dict[str, list[int]] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)


def inspect_pdf(evidence_file: EvidenceFile) -> AppendedPdf:
    try:
        with evidence_file.file.open("rb") as content:
            reader = PdfReader(io.BytesIO(content.read()))
            if reader.is_encrypted:
                return AppendedPdf(evidence_file, attached_separately="it is encrypted")
            return AppendedPdf(evidence_file, pages=len(reader.pages))
    except (PyPdfError, ValueError, OSError, KeyError, TypeError) as error:
        return AppendedPdf(
            evidence_file, attached_separately=f"it could not be read ({type(error).__name__})"
        )


def render_bundle(
    *,
    sample: ModerationSample,
    candidates: list[Candidate],
    progress: Callable[[int, str], None] = lambda p, s: None,
) -> RenderedBundle:
    """The bundle's PDF and ZIP for ``candidates`` of ``sample``."""
    files = {str(f.pk): f for candidate in candidates for f in candidate.files}
    pdfs = {pk: inspect_pdf(f) for pk, f in files.items() if f.content_type == "application/pdf"}
    progress(10, "Laying out the bundle")
    html = render_to_string(
        "moderation/bundle/bundle.html",
        {
            "sample": sample,
            "centre": sample.centre,
            "unit": sample.unit,
            "candidates": [_candidate_context(c, pdfs) for c in candidates],
            "assessors": sorted({c.sampled.sign_off.assessor_name for c in candidates}, key=folded),
            "iqas": sorted(
                {s.iqa.get_full_name() for c in candidates for s in c.iqa_samples if s.iqa is not None},
                key=folded,
            ),
            "produced_at": timezone.now(),
            "manifest": _manifest(candidates),
        },
    )
    fetcher = BundleFetcher(files)
    document = HTML(string=html, base_url="bundle:", url_fetcher=fetcher).render()
    progress(60, "Appending learners' PDFs")
    reserved, starts, seen = {}, [], set()
    item_pages: dict[str, list[int]] = {}
    anchor_pages: dict[str, int] = {}
    slots: dict[int, list[tuple[float, float, str]]] = {}
    for index, page in enumerate(document.pages):
        for anchor, (x, y, _, _) in page.anchors.items():
            anchor_pages.setdefault(anchor, index)
            if "--" in anchor and anchor.startswith("slot-"):
                slots.setdefault(index, []).append((x, y, anchor.split("--", 1)[1]))
        for anchor in page.anchors:
            if match := re.fullmatch(r"appended-(\d+)-(\d+)", anchor):
                reserved[index] = (match[1], int(match[2]))
            elif (match := re.fullmatch(r"candidate-(\d+)", anchor)) and match[1] not in seen:
                seen.add(match[1])
                starts.append((match[1], index))
            elif anchor == "manifest" and "" not in seen:
                seen.add("")
                starts.append(("", index))
    # Where each item starts (an element's anchor is on every page it spans: its first
    # counts). A candidate's first item follows their declarations on the same page, so
    # the pages before the second are where they may first be split.
    for anchor, index in anchor_pages.items():
        if match := re.fullmatch(r"item-(\d+)-\d+-\d+", anchor):
            item_pages.setdefault(match[1], []).append(index)
    item_pages = {number: sorted(pages)[1:] for number, pages in item_pages.items()}
    page_refs = {
        index: [(x, y, anchor_pages[target] + 1) for x, y, target in found if target in anchor_pages]
        for index, found in slots.items()
    }
    pdf = _finish_pdf(document.write_pdf(), reserved, pdfs, page_refs)
    candidate_pages = [
        (number, first, next_first - 1)
        for (number, first), (_, next_first) in itertools.pairwise(starts)
        if number
    ]
    progress(85, "Packing the original files")
    archive = _archive(candidates)
    return RenderedBundle(
        pdf=pdf,
        archive=archive,
        pages=len(document.pages),
        candidate_pages=candidate_pages,
        item_pages=item_pages,
        fetched=fetcher.requested,
    )


def _candidate_context(candidate: Candidate, pdfs: dict[str, AppendedPdf]) -> dict:
    page_of_item = {}
    evidence = []
    for version in candidate.versions:
        anchor = f"item-{candidate.learner.candidate_number}-{version.item_id}-{version.number}"
        page_of_item[(version.item_id, version.number)] = anchor
        evidence.append(
            {
                "anchor": anchor,
                "version": version,
                "details": describe_details(version.snapshot["kind"], version.snapshot["details"]),
                "body": learner_text_html(version.snapshot["body"]),
                "images": [f for f in version.files.all() if f.content_type in PRINTABLE_IMAGES],
                "pdfs": [pdfs[str(f.pk)] for f in version.files.all() if str(f.pk) in pdfs],
                "others": [
                    f
                    for f in version.files.all()
                    if f.content_type not in PRINTABLE_IMAGES and f.content_type != "application/pdf"
                ],
            }
        )
    rows = [
        {
            **row,
            # Frozen in the sheet as ISO text; printed as a date, in the same form as the rest.
            "decided_on": parse_datetime(row["decided_at"]) if row.get("decided_at") else None,
            "links": [
                {**e, "anchor": page_of_item.get((e["item"], e["version"]), "")} for e in row["evidence"]
            ],
        }
        for row in candidate.sheet["criteria"]
    ]
    return {
        "candidate": candidate,
        "sign_off": candidate.sampled.sign_off,
        "rows": rows,
        "evidence": evidence,
    }


def _zip_path(candidate: Candidate, evidence_file: EvidenceFile) -> str:
    name = safe_download_name(evidence_file.original_name, evidence_file.content_type)
    return f"candidate-{candidate.learner.candidate_number}/{evidence_file.pk}-{name}"


def _manifest(candidates: list[Candidate]) -> list[dict]:
    return [
        {
            "path": _zip_path(candidate, f),
            "candidate": candidate.learner.candidate_number,
            "name": f.original_name,
            "content_type": f.content_type,
            "size": f.size,
            "sha256": f.sha256,
        }
        for candidate in candidates
        for f in candidate.files
    ]


def _finish_pdf(
    pdf: bytes,
    reserved: dict[int, tuple[str, int]],
    pdfs: dict[str, AppendedPdf],
    page_refs: dict[int, list[tuple[float, float, int]]],
) -> bytes:
    """Write in the page numbers that references point to, and draw each learner PDF's
    pages onto the pages reserved for them.

    The numbers are drawn after layout, into the space the layout kept for them, because
    asking WeasyPrint for them (``target-counter``) lays out the bundle a second time."""
    if not reserved and not page_refs:
        return pdf
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for index, refs in page_refs.items():
        writer.pages[index].merge_page(_page_numbers_overlay(refs))
    readers: dict[str, PdfReader] = {}
    left, bottom, right, top = APPENDED_BOX
    for index, (file_pk, page_number) in sorted(reserved.items()):
        if file_pk not in readers:
            with pdfs[file_pk].evidence_file.file.open("rb") as content:
                readers[file_pk] = PdfReader(io.BytesIO(content.read()))
        source = readers[file_pk].pages[page_number - 1]
        if "/Annots" in source:
            del source["/Annots"]  # links and actions of the learner's file stay out
        width, height = float(source.mediabox.width), float(source.mediabox.height)
        scale = min((right - left) / width, (top - bottom) / height, 1.0)
        x = left + ((right - left) - width * scale) / 2 - float(source.mediabox.left) * scale
        y = bottom + ((top - bottom) - height * scale) / 2 - float(source.mediabox.bottom) * scale
        writer.pages[index].merge_transformed_page(source, Transformation().scale(scale).translate(x, y))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


# CSS pixels (what WeasyPrint measures in) to PDF points.
PX = 0.75
PAGE_REF_FONT_SIZE = 8


def _page_numbers_overlay(refs: list[tuple[float, float, int]]) -> PageObject:
    """A transparent A4 page with "p. N" at each (x, y) (CSS pixels, y the baseline)."""
    overlay = PageObject.create_blank_page(width=A4_WIDTH, height=A4_HEIGHT)
    helvetica = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    overlay[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/PageRef"): helvetica})}
    )
    text = "".join(
        f"1 0 0 1 {x * PX + 2:.2f} {A4_HEIGHT - y * PX:.2f} Tm (p. {number}) Tj\n" for x, y, number in refs
    )
    stream = DecodedStreamObject()
    stream.set_data(f"BT /PageRef {PAGE_REF_FONT_SIZE} Tf 0.114 0.310 0.569 rg\n{text}ET".encode("ascii"))
    overlay[NameObject("/Contents")] = stream
    return overlay


def _archive(candidates: list[Candidate]) -> bytes:
    """The original files, as stored, and the manifest in CSV and JSON."""
    manifest = _manifest(candidates)
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for candidate in candidates:
            for evidence_file in candidate.files:
                with evidence_file.file.open("rb") as stored:
                    archive.writestr(_zip_path(candidate, evidence_file), stored.read())
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        table = io.StringIO()
        writer = csv.DictWriter(
            table, fieldnames=["path", "candidate", "name", "content_type", "size", "sha256"]
        )
        writer.writeheader()
        # File names are the learners' own: kept from running as spreadsheet formulas.
        writer.writerows({key: neutralise(value) for key, value in row.items()} for row in manifest)
        archive.writestr("manifest.csv", table.getvalue())
    return content.getvalue()


def bundle_fingerprint(*, sample: ModerationSample, candidates: list[Candidate]) -> str:
    """What the bundle is made of: the same fingerprint means the same bundle."""
    facts = {
        "sample": sample.pk,
        "candidates": [
            {
                "enrolment": c.sampled.enrolment_id,
                "sign_off": c.sampled.sign_off_id,
                "countersigned": str(c.sampled.sign_off.countersigned_at),
                "files": [f.sha256 for f in c.files],
                # A version's snapshot changes when a contact's details are taken out of it.
                "snapshots": [
                    hashlib.sha256(json.dumps(v.snapshot, sort_keys=True).encode()).hexdigest()
                    for v in c.versions
                ],
                "iqa": [
                    (s.pk, s.verdict, [(a.pk, str(a.closed_at)) for a in s.actions.all()])
                    for s in c.iqa_samples
                ],
                # A reopening, and any decision since, changes the assessment history printed.
                "history": [(e.kind, str(e.at)) for e in c.history],
            }
            for c in candidates
        ],
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


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
    font = writer._add_object(_helvetica())
    save = writer._add_object(_stream(b"q\n"))
    for run in runs:
        if run.continued and run is runs[0]:
            writer.add_outline_item(title=f"Candidate {run.candidate}, continued", page_number=0)
        for page_index in run.pages:
            page = writer.pages[page_index - runs[0].first]
            label = f"Part {number} of {count}"
            if run.continued:
                label += f" \xb7 Candidate {run.candidate}, continued"
            resources = page.get("/Resources")
            if resources is None:
                resources = page[NameObject("/Resources")] = DictionaryObject()
            resources = resources.get_object()
            fonts = resources.get("/Font")
            if fonts is None:
                fonts = resources[NameObject("/Font")] = DictionaryObject()
            fonts.get_object()[NameObject("/PartLabel")] = font
            contents = page.raw_get("/Contents") if "/Contents" in page else None
            existing = contents.get_object() if contents is not None else ArrayObject()
            streams = list(existing) if isinstance(existing, ArrayObject) else [contents]
            text = (
                f"Q\nBT /PartLabel {PART_LABEL_FONT_SIZE} Tf 0 g 1 0 0 1 42.52 31 Tm ({label}) Tj ET\n"
            ).encode("latin-1")
            page[NameObject("/Contents")] = ArrayObject([save, *streams, writer._add_object(_stream(text))])
    content = io.BytesIO()
    writer.write(content)
    return content.getvalue()


def _helvetica() -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


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
