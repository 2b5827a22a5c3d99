"""Laying out the bundle: the template (``moderation/bundle/bundle.html``) as WeasyPrint
lays it out, then, from where its anchors landed, the page numbers, the links of
references and the learners' PDFs drawn in, and where the bundle may be split into parts.

Layout is most of a render's time and uses one core, so the candidates are laid out in
groups side by side, one process each (``BUNDLE_RENDER_PROCESSES``, the cores by default),
and the groups' PDFs joined. Each candidate starts a page, so a group's pages are the pages
the same candidates take in one layout of the whole bundle: their anchors are found at
those pages once moved along by the pages before the group, and the page numbers and
links, which WeasyPrint would get wrong in a group on its own, are written in afterwards
for the whole bundle at once.

The renderer fetches nothing but the bundle's own files and Waymark's stylesheet: every
other URL (a file: path, http, a CSS import, an object) is refused by its fetcher.
"""

import ctypes
import gc
import io
import itertools
import multiprocessing
import os
import signal
import sys
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from moderation.bundle import anchors
from moderation.bundle.appendices import AppendedPdf, appended_pdfs, draw_appended_pages
from moderation.bundle.archive import bundle_archive
from moderation.bundle.context import PRINTABLE_IMAGES, bundle_context, printed_content_type
from moderation.bundle.page_references import FONT_NAME, link_annotation, page_marks, page_references
from moderation.bundle.pdf_objects import helvetica, write_over
from moderation.models import ModerationSample
from moderation.selectors import Candidate
from portfolio.models import EvidenceFile

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "bundle.css"
TEMPLATE = "moderation/bundle/bundle.html"

# What the layout may fetch, by URL: the content and its type.
Resources = dict[str, tuple[bytes, str]]


def bundle_resources(files: dict[int, EvidenceFile]) -> Resources:
    """The stylesheet and every image the bundle prints, read once, by the URL the
    template gives each (``anchors``)."""
    resources = {anchors.STYLESHEET_URL: (STYLESHEET.read_bytes(), "text/css")}
    for evidence_file in files.values():
        if evidence_file.content_type in PRINTABLE_IMAGES:
            content_type = printed_content_type(evidence_file)
            with (evidence_file.print_rendition or evidence_file.file).open("rb") as stored:
                resources[anchors.file_url(evidence_file.pk, content_type)] = (stored.read(), content_type)
    return resources


class BundleFetcher(URLFetcher):
    """Gives WeasyPrint exactly the bundle's files and stylesheet, and records every URL
    it was asked for; anything else is refused."""

    def __init__(self, resources: Resources):
        super().__init__(allowed_protocols=set())  # for WeasyPrint's own fetching, never used here
        self.resources = resources
        self.requested: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        if url not in self.resources:
            raise ValueError(f"The bundle renderer does not fetch {url}")
        body, content_type = self.resources[url]
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
    """Where the bundle's anchors and links landed, by page index (from 0)."""

    # The first page each anchor is on (an element's anchor is on every page it spans),
    # and the point there, (x, y) in CSS pixels from the top left.
    anchor_pages: dict[anchors.Anchor, int] = field(default_factory=dict)
    anchor_points: dict[anchors.Anchor, tuple[float, float]] = field(default_factory=dict)
    # Each candidate's first page, in order, and the manifest's (as candidate "").
    starts: list[tuple[str, int]] = field(default_factory=list)
    # The pages kept for learners' PDFs, and the page of which PDF each holds.
    reserved: dict[int, anchors.AppendedPage] = field(default_factory=dict)
    # The page number slots on each page: (x, y) in CSS pixels, and the slot.
    slots: dict[int, list[tuple[float, float, anchors.PageSlot]]] = field(default_factory=dict)
    # The links to the bundle's anchors: the page each is on, its rectangle (x1, y1, x2,
    # y2 in CSS pixels) and where it leads.
    links: list[tuple[int, tuple[float, float, float, float], anchors.Anchor]] = field(default_factory=list)

    @classmethod
    def of(cls, document) -> "Layout":
        """Read off ``document``'s pages, taking its links to the bundle's anchors off them
        (the renderer draws those, ``_finish_pdf``)."""
        layout, seen = cls(), set()
        for index, page in enumerate(document.pages):
            for name, (x, y, _, _) in page.anchors.items():
                anchor = anchors.parse_anchor(name)
                if anchor is None:
                    continue  # an id of the template's own, not one of the bundle's anchors
                layout.anchor_pages.setdefault(anchor, index)
                layout.anchor_points.setdefault(anchor, (x, y))
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
            kept = []
            for link in page.links:
                kind, target, rectangle, _ = link
                anchor = anchors.parse_anchor(target) if kind == "internal" else None
                if anchor is None:
                    kept.append(link)  # a learner's own: to a web or email address
                else:
                    layout.links.append((index, tuple(rectangle), anchor))
            page.links = kept
        return layout

    @classmethod
    def joined(cls, layouts: list["Layout"], page_counts: list[int]) -> "Layout":
        """One layout of the groups laid out one after another, each group's pages moved
        along by the pages of the groups before it."""
        whole = cls()
        offsets = itertools.accumulate([0, *page_counts[:-1]])
        for layout, offset in zip(layouts, offsets, strict=True):
            for anchor, index in layout.anchor_pages.items():
                whole.anchor_pages.setdefault(anchor, index + offset)
                whole.anchor_points.setdefault(anchor, layout.anchor_points[anchor])
            whole.starts.extend((number, index + offset) for number, index in layout.starts)
            whole.reserved.update({index + offset: kept for index, kept in layout.reserved.items()})
            whole.slots.update({index + offset: found for index, found in layout.slots.items()})
            whole.links.extend(
                (index + offset, rectangle, target) for index, rectangle, target in layout.links
            )
        return whole

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


@dataclass
class LaidOut:
    """One layout's PDF, as WeasyPrint wrote it, and what was read off its pages."""

    pdf: bytes
    pages: int
    layout: Layout
    fetched: list[str]


def bundle_html(
    *, sample: ModerationSample, candidates: list[Candidate], pdfs: dict[int, AppendedPdf]
) -> str:
    """The whole bundle as the HTML WeasyPrint lays out."""
    return bundle_htmls(sample=sample, candidates=candidates, pdfs=pdfs, groups=[slice(None)])[0]


def bundle_htmls(
    *,
    sample: ModerationSample,
    candidates: list[Candidate],
    pdfs: dict[int, AppendedPdf],
    groups: list[slice],
) -> list[str]:
    """The HTML of each group of candidates, for a layout in groups: their sections, with
    the cover before them if they are the first and the manifest after them if they are
    the last."""
    context = bundle_context(sample=sample, candidates=candidates, pdfs=pdfs)
    htmls = []
    for group in groups:
        shown = range(len(candidates))[group]
        sections = {
            "sections": context["candidates"][group],
            "with_cover": shown.start == 0,
            "with_manifest": shown.stop == len(candidates),
        }
        htmls.append(render_to_string(TEMPLATE, context | sections))
    return htmls


def write_bundle_html(*, sample: ModerationSample, candidates: list[Candidate], folder: Path) -> Path:
    """``folder/bundle.html``: the HTML of the whole bundle, as one layout of it takes it,
    with its stylesheet and every image it prints beside it under the relative names it
    gives them, so that another engine can print the same document. Learners' PDFs are not
    in it (they are drawn in after layout): the pages kept for them are."""
    files = {f.pk: f for candidate in candidates for f in candidate.files}
    html = bundle_html(sample=sample, candidates=candidates, pdfs=appended_pdfs(files))
    folder.mkdir(parents=True, exist_ok=True)
    for url, (content, _) in bundle_resources(files).items():
        path = folder / url
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
    page = folder / "bundle.html"
    page.write_text(html, encoding="utf-8")
    return page


def lay_out(html: str, resources: Resources) -> LaidOut:
    """WeasyPrint's layout of ``html`` and its PDF, in this process (or the one it was
    sent to: it uses nothing but its arguments)."""
    fetcher = BundleFetcher(resources)
    # A base of no hierarchy leaves each relative name as the template wrote it, for the fetcher.
    document = HTML(string=html, base_url="bundle:", url_fetcher=fetcher).render()
    layout = Layout.of(document)
    return LaidOut(
        pdf=document.write_pdf(), pages=len(document.pages), layout=layout, fetched=fetcher.requested
    )


def render_processes() -> int:
    """How many processes lay out one bundle: ``BUNDLE_RENDER_PROCESSES``, or the cores
    this process may use; one, in a daemonic process, which may not start any (a pool's)."""
    if multiprocessing.current_process().daemon:
        return 1
    if settings.BUNDLE_RENDER_PROCESSES:
        return settings.BUNDLE_RENDER_PROCESSES
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def groups_of(candidates: list[Candidate], pdfs: dict[int, AppendedPdf], count: int) -> list[slice]:
    """``candidates`` in at most ``count`` runs, one after another, of about the same
    number of pages each (two sheets, an item's page, a learner PDF's pages)."""
    weights = [
        2 + len(c.versions) + sum(pdfs[f.pk].pages for f in c.files if f.pk in pdfs) for c in candidates
    ]
    total, groups, start, reached = sum(weights), [], 0, 0
    for index, weight in enumerate(weights):
        reached += weight
        if (
            len(groups) < count - 1
            and reached >= total * (len(groups) + 1) / count
            and index + 1 < len(weights)
        ):
            groups.append(slice(start, index + 1))
            start = index + 1
    groups.append(slice(start, len(candidates)))
    return groups


def render_bundle(
    *,
    sample: ModerationSample,
    candidates: list[Candidate],
    progress: Callable[[int, str], None] = lambda p, s: None,
    processes: int | None = None,
) -> RenderedBundle:
    """The bundle's PDF and ZIP for ``candidates`` of ``sample``, laid out by ``processes``
    processes side by side (``render_processes()`` unless given; one lays it out here)."""
    files = {f.pk: f for candidate in candidates for f in candidate.files}
    pdfs = appended_pdfs(files)
    resources = bundle_resources(files)
    progress(10, "Laying out the bundle")
    groups = groups_of(candidates, pdfs, max(1, min(processes or render_processes(), len(candidates))))
    htmls = bundle_htmls(sample=sample, candidates=candidates, pdfs=pdfs, groups=groups)
    laid_out = _lay_out_each(htmls, resources)
    progress(60, "Appending learners' PDFs")
    pages = sum(part.pages for part in laid_out)
    layout = Layout.joined([part.layout for part in laid_out], [part.pages for part in laid_out])
    pdf = _finish_pdf([part.pdf for part in laid_out], layout, pdfs, pages)
    progress(85, "Packing the original files")
    archive = bundle_archive(candidates)
    return RenderedBundle(
        pdf=pdf,
        archive=archive,
        pages=pages,
        candidate_pages=layout.candidate_pages(),
        item_pages=layout.item_pages(),
        fetched=[url for part in laid_out for url in part.fetched],
    )


def _lay_out_each(htmls: list[str], resources: Resources) -> list[LaidOut]:
    """Each of ``htmls`` laid out: one here, more side by side, each in a process of its own."""
    if len(htmls) == 1:
        return [lay_out(htmls[0], resources)]
    # Forked, so that each process starts at once with WeasyPrint loaded and the resources
    # in its memory (never copied to it). It uses nothing of this process's but those:
    # not its database connections, storage clients or threads (the worker's heartbeat,
    # the connection pool's), only WeasyPrint, which runs no thread of its own; logging,
    # which a forked child may use, takes its locks anew. Python's warning against forking
    # a process with threads is about a lock such a thread holds at that moment, which
    # none of that takes. Frozen, the objects here are not scanned by the collector in a
    # child, which would copy every page of memory it touches, and slow its layout.
    gc.freeze()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message=r".*use of fork\(\) may lead to deadlocks", category=DeprecationWarning
            )
            with ProcessPoolExecutor(
                max_workers=len(htmls),
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_layout_process,
                initargs=(resources,),
            ) as pool:
                return list(pool.map(_lay_out_here, htmls))
    finally:
        gc.unfreeze()


# A layout process's resources, given when it starts (``_start_layout_process``).
_resources: Resources = {}


def _start_layout_process(resources: Resources) -> None:
    """In a new layout process: its resources; the signals the worker's own handlers
    would take (a SIGTERM to the worker's process group stops it, not shuts down the
    worker's loop); and its end when the worker ends, even killed, which otherwise a
    layout of a bundle nobody is waiting for would outlive."""
    global _resources
    _resources = resources
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, signal.SIG_DFL)
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _lay_out_here(html: str) -> LaidOut:
    return lay_out(html, _resources)


def _finish_pdf(group_pdfs: list[bytes], layout: Layout, pdfs: dict[int, AppendedPdf], pages: int) -> bytes:
    """The groups' PDFs as one, with "Page X of Y" on every page, the page number after
    each reference, the links of references, and each learner PDF's pages drawn onto the
    pages reserved for them."""
    first = PdfReader(io.BytesIO(group_pdfs[0]))
    if len(group_pdfs) == 1:
        writer = PdfWriter(clone_from=first)
    else:
        writer = PdfWriter()
        for group_pdf in group_pdfs:
            writer.append(PdfReader(io.BytesIO(group_pdf)))
        if first.metadata:
            writer.add_metadata(dict(first.metadata))
        if "/Lang" in first.trailer["/Root"]:  # the language WeasyPrint read from <html lang>
            writer._root_object[NameObject("/Lang")] = first.trailer["/Root"]["/Lang"]
    # The learners' pages first: pypdf rewrites the content of a page it merges another into.
    draw_appended_pages(writer, layout.reserved, pdfs)
    refs = page_references(layout.slots, layout.anchor_pages)
    font = writer._add_object(helvetica())
    for index, page in enumerate(writer.pages):
        marks = page_marks(index + 1, pages, refs.get(index, []))
        write_over(writer, page, fonts={FONT_NAME: font}, operators=marks)
    for index, rectangle, target in layout.links:
        if target in layout.anchor_pages:
            x, y = layout.anchor_points[target]
            destination = writer.pages[layout.anchor_pages[target]].indirect_reference
            writer.add_annotation(index, link_annotation(rectangle, destination, x, y))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
