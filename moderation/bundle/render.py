"""Laying out the bundle: the template (``moderation/bundle/bundle.html``) as WeasyPrint
lays it out, then, from where its anchors landed, the page numbers of references and
the learners' PDFs drawn in, and where the bundle may be split into parts.

The renderer fetches nothing but the bundle's own files and Waymark's stylesheet: every
other URL (a file: path, http, a CSS import, an object) is refused by its fetcher.
"""

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from moderation.bundle import anchors
from moderation.bundle.appendices import AppendedPdf, appended_pdfs, draw_appended_pages
from moderation.bundle.archive import bundle_archive
from moderation.bundle.context import PRINTABLE_IMAGES, bundle_context, printed_content_type
from moderation.bundle.page_references import PageRef, page_numbers_overlay, page_references
from moderation.models import ModerationSample
from moderation.selectors import Candidate
from portfolio.models import EvidenceFile

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "bundle.css"
TEMPLATE = "moderation/bundle/bundle.html"


class BundleFetcher(URLFetcher):
    """Gives WeasyPrint exactly the bundle's files and stylesheet, and records every URL
    it was asked for; anything else is refused."""

    def __init__(self, files: dict[int, EvidenceFile]):
        super().__init__(allowed_protocols=set())  # for WeasyPrint's own fetching, never used here
        self.images = {
            anchors.file_url(f.pk, printed_content_type(f)): f
            for f in files.values()
            if f.content_type in PRINTABLE_IMAGES
        }
        self.requested: list[str] = []

    def urls(self) -> list[str]:
        """Every URL this fetcher answers: the stylesheet and the images."""
        return [anchors.STYLESHEET_URL, *self.images]

    def content(self, url: str) -> tuple[bytes, str]:
        """What ``url`` names, and its type."""
        if url == anchors.STYLESHEET_URL:
            return STYLESHEET.read_bytes(), "text/css"
        if image := self.images.get(url):
            with (image.print_rendition or image.file).open("rb") as stored:
                return stored.read(), printed_content_type(image)
        raise ValueError(f"The bundle renderer does not fetch {url}")

    def fetch(self, url, headers=None):
        self.requested.append(url)
        body, content_type = self.content(url)
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


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


@dataclass
class Layout:
    """Where the bundle's anchors landed, by page index (from 0)."""

    # The first page each anchor is on (an element's anchor is on every page it spans).
    anchor_pages: dict[anchors.Anchor, int] = field(default_factory=dict)
    # Each candidate's first page, in order, and the manifest's (as candidate "").
    starts: list[tuple[str, int]] = field(default_factory=list)
    # The pages kept for learners' PDFs, and the page of which PDF each holds.
    reserved: dict[int, anchors.AppendedPage] = field(default_factory=dict)
    # The page number slots on each page: (x, y) in CSS pixels, and the slot.
    slots: dict[int, list[tuple[float, float, anchors.PageSlot]]] = field(default_factory=dict)

    @classmethod
    def of(cls, document) -> "Layout":
        layout, seen = cls(), set()
        for index, page in enumerate(document.pages):
            for name, (x, y, _, _) in page.anchors.items():
                anchor = anchors.parse_anchor(name)
                if anchor is None:
                    continue  # an id of the template's own, not one of the bundle's anchors
                layout.anchor_pages.setdefault(anchor, index)
                match anchor:
                    case anchors.PageSlot():
                        layout.slots.setdefault(index, []).append((x, y, anchor))
                    case anchors.AppendedPage():
                        layout.reserved[index] = anchor
                    case anchors.Candidate(number=number) if number not in seen:
                        seen.add(number)
                        layout.starts.append((number, index))
                    case anchors.Manifest() if "" not in seen:
                        seen.add("")
                        layout.starts.append(("", index))
        return layout

    def candidate_pages(self) -> list[tuple[str, int, int]]:
        return [
            (number, first, next_first - 1)
            for (number, first), (_, next_first) in itertools.pairwise(self.starts)
            if number
        ]

    def item_pages(self) -> dict[str, list[int]]:
        """Where each candidate's items after the first start. Their first item follows
        their declarations on the same page, so the pages before the second are where they
        may first be split."""
        pages: dict[str, list[int]] = {}
        for anchor, index in self.anchor_pages.items():
            if isinstance(anchor, anchors.EvidenceItem):
                pages.setdefault(anchor.candidate, []).append(index)
        return {number: sorted(found)[1:] for number, found in pages.items()}


def bundle_html(
    *, sample: ModerationSample, candidates: list[Candidate], pdfs: dict[int, AppendedPdf]
) -> str:
    """The bundle as the HTML WeasyPrint lays out."""
    return render_to_string(TEMPLATE, bundle_context(sample=sample, candidates=candidates, pdfs=pdfs))


def write_bundle_html(*, sample: ModerationSample, candidates: list[Candidate], folder: Path) -> Path:
    """``folder/bundle.html``: the HTML the renderer lays out, exactly, with its stylesheet
    and every image it prints beside it under the relative names it gives them, so that
    another engine can print the same document. Learners' PDFs are not in it (they are
    drawn in after layout): the pages kept for them are."""
    files = {f.pk: f for candidate in candidates for f in candidate.files}
    html = bundle_html(sample=sample, candidates=candidates, pdfs=appended_pdfs(files))
    fetcher = BundleFetcher(files)
    folder.mkdir(parents=True, exist_ok=True)
    for url in fetcher.urls():
        path = folder / url
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(fetcher.content(url)[0])
    page = folder / "bundle.html"
    page.write_text(html, encoding="utf-8")
    return page


def render_bundle(
    *,
    sample: ModerationSample,
    candidates: list[Candidate],
    progress: Callable[[int, str], None] = lambda p, s: None,
) -> RenderedBundle:
    """The bundle's PDF and ZIP for ``candidates`` of ``sample``."""
    files = {f.pk: f for candidate in candidates for f in candidate.files}
    pdfs = appended_pdfs(files)
    progress(10, "Laying out the bundle")
    html = bundle_html(sample=sample, candidates=candidates, pdfs=pdfs)
    fetcher = BundleFetcher(files)
    # A base of no hierarchy leaves each relative name as the template wrote it, for the fetcher.
    document = HTML(string=html, base_url="bundle:", url_fetcher=fetcher).render()
    progress(60, "Appending learners' PDFs")
    layout = Layout.of(document)
    refs = page_references(layout.slots, layout.anchor_pages)
    pdf = _finish_pdf(document.write_pdf(), layout.reserved, pdfs, refs)
    progress(85, "Packing the original files")
    archive = bundle_archive(candidates)
    return RenderedBundle(
        pdf=pdf,
        archive=archive,
        pages=len(document.pages),
        candidate_pages=layout.candidate_pages(),
        item_pages=layout.item_pages(),
        fetched=fetcher.requested,
    )


def _finish_pdf(
    pdf: bytes,
    reserved: dict[int, anchors.AppendedPage],
    pdfs: dict[int, AppendedPdf],
    refs: dict[int, list[PageRef]],
) -> bytes:
    """Write in the page numbers that references point to, and draw each learner PDF's
    pages onto the pages reserved for them."""
    if not reserved and not refs:
        return pdf
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for index, page_refs in refs.items():
        writer.pages[index].merge_page(page_numbers_overlay(page_refs))
    draw_appended_pages(writer, reserved, pdfs)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
