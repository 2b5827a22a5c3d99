"""The few PDF objects the bundle writes itself, beside what WeasyPrint lays out: the
page numbers ("Page 3 of 220", and those of references), the links between pages, and
the labels of parts."""

from pypdf import PageObject, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, IndirectObject, NameObject

A4_HEIGHT, A4_WIDTH = 841.89, 595.28
# CSS pixels (what WeasyPrint measures in) to PDF points.
PX = 0.75
# Helvetica's advance widths, in thousandths of the font size, of what the bundle writes
# right-aligned ("Page 12 of 220"): from the font's metrics (Adobe's AFM).
_HELVETICA_WIDTHS = {" ": 278, "P": 667, "a": 556, "e": 556, "f": 278, "g": 556, "o": 556} | dict.fromkeys(
    "0123456789", 556
)


def helvetica() -> DictionaryObject:
    """One of the standard fonts every PDF reader has, so that nothing is embedded."""
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )


def helvetica_width(text: str, size: float) -> float:
    """How wide ``text`` is in Helvetica at ``size`` points (of the characters it knows)."""
    return sum(_HELVETICA_WIDTHS[character] for character in text) * size / 1000


def content_stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def write_over(
    writer: PdfWriter, page: PageObject, *, fonts: dict[str, IndirectObject], operators: bytes
) -> None:
    """Draw ``operators`` over what the page already shows, in the page's own coordinates:
    its content is wrapped in a save ("q") and a restore, so that whatever state it leaves
    does not move what is drawn after it, and ``fonts`` join its resources. The page keeps
    its content streams as they are (never decoded and written again), and shares none of
    the new ones: pypdf deletes a page's streams when it merges another page into it."""
    resources = page.get("/Resources")
    if resources is None:
        resources = page[NameObject("/Resources")] = DictionaryObject()
    resources = resources.get_object()
    page_fonts = resources.get("/Font")
    if page_fonts is None:
        page_fonts = resources[NameObject("/Font")] = DictionaryObject()
    for name, font in fonts.items():
        page_fonts.get_object()[NameObject(name)] = font
    contents = page.raw_get("/Contents") if "/Contents" in page else None
    existing = contents.get_object() if contents is not None else ArrayObject()
    streams = list(existing) if isinstance(existing, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject(
        [
            writer._add_object(content_stream(b"q\n")),
            *streams,
            writer._add_object(content_stream(b"Q\n" + operators)),
        ]
    )
