"""What the bundle writes onto its pages after layout: "Page X of Y" on every page, the
page number after each reference ("p. 12"), in the space the layout kept for it, and the
link of each reference to the page its target starts on.

Written in after layout, not by WeasyPrint: asking it for the numbers of references
(``target-counter``) lays the bundle out a second time, and a bundle laid out in parts
side by side (``render``) knows its page numbers only once every part is laid out."""

from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject

from moderation.bundle.anchors import Anchor, PageSlot
from moderation.bundle.pdf_objects import A4_HEIGHT, A4_WIDTH, PX, helvetica_width

FONT_NAME = "/PageNumbers"
FONT_SIZE = 8
# "Page X of Y": right-aligned inside the right margin (15 mm), in the middle of the
# bottom one (22 mm), as static/css/bundle.css sets the page's margins.
PAGE_NUMBER_RIGHT = A4_WIDTH - 15 * 72 / 25.4
PAGE_NUMBER_BASELINE = 22 * 72 / 25.4 / 2 - FONT_SIZE * 0.35
TEXT_COLOUR = b"0.043 0.047 0.047 rg"  # #0b0c0c, the bundle's text
LINK_COLOUR = b"0.114 0.310 0.569 rg"  # #1d4f91, its references

# Where a number goes: (x, y) in CSS pixels, y the baseline, and the page number.
PageRef = tuple[float, float, int]


def page_references(
    slots: dict[int, list[tuple[float, float, PageSlot]]], anchor_pages: dict[Anchor, int]
) -> dict[int, list[PageRef]]:
    """For each page (by index) with slots on it, what to write in each: the number (from
    1) of the page its reference's target starts on. A target not in the bundle gets none."""
    return {
        index: [(x, y, anchor_pages[slot.target] + 1) for x, y, slot in found if slot.target in anchor_pages]
        for index, found in slots.items()
    }


def page_marks(number: int, pages: int, refs: list[PageRef]) -> bytes:
    """The drawing operators of page ``number`` (from 1) of ``pages``: its "Page X of Y"
    and the number after each of its references."""
    label = f"Page {number} of {pages}"
    left = PAGE_NUMBER_RIGHT - helvetica_width(label, FONT_SIZE)
    operators = [
        f"BT {FONT_NAME} {FONT_SIZE} Tf ".encode(),
        TEXT_COLOUR,
        f"\n1 0 0 1 {left:.2f} {PAGE_NUMBER_BASELINE:.2f} Tm ({label}) Tj\n".encode(),
    ]
    if refs:
        operators.append(LINK_COLOUR + b"\n")
        operators.extend(
            f"1 0 0 1 {x * PX + 2:.2f} {A4_HEIGHT - y * PX:.2f} Tm (p. {n}) Tj\n".encode() for x, y, n in refs
        )
    operators.append(b"ET\n")
    return b"".join(operators)


def link_annotation(
    rectangle: tuple[float, float, float, float], page, x: float, y: float
) -> DictionaryObject:
    """A link over ``rectangle`` (x1, y1, x2, y2 in CSS pixels from the top left, as
    WeasyPrint measures) to the point (x, y), in CSS pixels, of ``page`` (its reference)."""
    x1, y1, x2, y2 = rectangle
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject(
                FloatObject(round(value, 2))
                for value in (x1 * PX, A4_HEIGHT - y2 * PX, x2 * PX, A4_HEIGHT - y1 * PX)
            ),
            NameObject("/BS"): DictionaryObject({NameObject("/W"): NumberObject(0)}),
            NameObject("/Dest"): ArrayObject(
                [
                    page,
                    NameObject("/XYZ"),
                    FloatObject(round(x * PX, 2)),
                    FloatObject(round(A4_HEIGHT - y * PX, 2)),
                    NumberObject(0),
                ]
            ),
        }
    )
