"""Learners' PDFs, appended in place: the layout keeps a page (with the running header, and
the page number written in after) for each of a PDF's pages, and each page's content is drawn into the space
inside it. Only the page's content is taken, never its links, scripts, launch actions or
embedded files. An encrypted or unreadable PDF is listed as attached separately, and is
in the ZIP."""

import io
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError

from moderation.bundle.anchors import AppendedPage
from moderation.bundle.pdf_objects import A4_HEIGHT, A4_WIDTH
from portfolio.models import EvidenceFile

# Space on a reserved page for a learner's page: inside the margins, clear of the
# running header and the page number.
APPENDED_BOX = (42.5, 70.9, A4_WIDTH - 42.5, A4_HEIGHT - 70.9)


@dataclass
class AppendedPdf:
    evidence_file: EvidenceFile
    pages: int = 0
    attached_separately: str = ""  # why it could not be appended

    @property
    def page_numbers(self) -> range:
        return range(1, self.pages + 1)

    @property
    def page_anchors(self) -> list[AppendedPage]:
        """The anchors of the bundle pages kept for this PDF's pages."""
        return [AppendedPage(self.evidence_file.pk, n) for n in self.page_numbers]


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


def appended_pdfs(files: dict[int, EvidenceFile]) -> dict[int, AppendedPdf]:
    """Each PDF among ``files`` (by key), as it can be appended."""
    return {pk: inspect_pdf(f) for pk, f in files.items() if f.content_type == "application/pdf"}


def draw_appended_pages(
    writer: PdfWriter, reserved: dict[int, AppendedPage], pdfs: dict[int, AppendedPdf]
) -> None:
    """Draw each learner PDF's pages onto the bundle pages (by index) reserved for them,
    scaled down to fit where they are bigger."""
    readers: dict[int, PdfReader] = {}
    left, bottom, right, top = APPENDED_BOX
    for index, kept in sorted(reserved.items()):
        if kept.file not in readers:
            with pdfs[kept.file].evidence_file.file.open("rb") as content:
                readers[kept.file] = PdfReader(io.BytesIO(content.read()))
        source = readers[kept.file].pages[kept.page - 1]
        if "/Annots" in source:
            del source["/Annots"]  # links and actions of the learner's file stay out
        width, height = float(source.mediabox.width), float(source.mediabox.height)
        scale = min((right - left) / width, (top - bottom) / height, 1.0)
        x = left + ((right - left) - width * scale) / 2 - float(source.mediabox.left) * scale
        y = bottom + ((top - bottom) - height * scale) / 2 - float(source.mediabox.bottom) * scale
        writer.pages[index].merge_transformed_page(source, Transformation().scale(scale).translate(x, y))
