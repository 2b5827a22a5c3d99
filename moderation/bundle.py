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
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from learners.downloads import safe_download_name
from learners.evidence_kinds import describe_details
from learners.models import EvidenceFile
from learners.resources import neutralise
from learners.text import learner_text_html

from .models import ModerationSample
from .sample_selectors import Candidate

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
            "assessors": sorted({c.sampled.sign_off.assessor_name for c in candidates}),
            "iqas": sorted(
                {s.iqa.get_full_name() for c in candidates for s in c.iqa_samples if s.iqa is not None}
            ),
            "produced_at": timezone.now(),
            "manifest": _manifest(candidates),
        },
    )
    fetcher = BundleFetcher(files)
    document = HTML(string=html, base_url="bundle:", url_fetcher=fetcher).render()
    progress(60, "Appending learners' PDFs")
    reserved, starts, seen = {}, [], set()
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
            }
            for c in candidates
        ],
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def _write(reader: PdfReader, first: int, last: int, label: str = "") -> bytes:
    writer = PdfWriter()
    writer.append(reader, pages=(first, last + 1))
    if label:
        stamp = PdfReader(io.BytesIO(_label_page(label))).pages[0]
        for page in writer.pages:
            page.merge_page(stamp)
        writer.add_metadata(
            {"/Title": f"{reader.metadata.title if reader.metadata else 'Moderation bundle'}, {label}"}
        )
    content = io.BytesIO()
    writer.write(content)
    return content.getvalue()


def _label_page(label: str) -> bytes:
    html = (
        "<style>@page { size: A4; margin: 0 } p { position: absolute; left: 15mm; bottom: 8mm; margin: 0;"
        " font: bold 8pt sans-serif }</style>"
        f"<p>{label}</p>"
    )
    return HTML(string=html, base_url="bundle:", url_fetcher=BundleFetcher({})).write_pdf()


def split_into_parts(
    pdf: bytes, candidate_pages: list[tuple[str, int, int]], *, max_bytes: int
) -> list[bytes]:
    """The bundle as parts of at most ``max_bytes`` each, for sending by email, labelled
    "Part 1 of N" on every page. Parts break between candidates; only a candidate too
    big for a part on their own is split inside, page by page."""
    reader = PdfReader(io.BytesIO(pdf))
    if len(pdf) <= max_bytes or not candidate_pages:
        return [pdf]
    # Room for the label stamped on every page afterwards.
    max_bytes = int(max_bytes * 0.95)
    # Runs of pages that stay together: the cover with the first candidate, each other
    # candidate, and the last candidate with the manifest.
    bounds = [(first, last) for _, first, last in candidate_pages]
    bounds[0] = (0, bounds[0][1])
    bounds[-1] = (bounds[-1][0], len(reader.pages) - 1)
    groups: list[tuple[int, int]] = []
    for first, last in bounds:
        if groups and len(_write(reader, groups[-1][0], last)) <= max_bytes:
            groups[-1] = (groups[-1][0], last)
        elif len(_write(reader, first, last)) <= max_bytes:
            groups.append((first, last))
        else:
            start = first
            for page in range(first, last + 1):
                if page > start and len(_write(reader, start, page)) > max_bytes:
                    groups.append((start, page - 1))
                    start = page
            groups.append((start, last))
    return [
        _write(reader, first, last, f"Part {n} of {len(groups)}")
        for n, (first, last) in enumerate(groups, start=1)
    ]
