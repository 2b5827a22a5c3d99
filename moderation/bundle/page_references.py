"""The page number after each reference ("p. 12"), written in after layout into the
space the layout kept for it: asking WeasyPrint for it (``target-counter``) lays out the
bundle a second time."""

from pypdf import PageObject
from pypdf.generic import DictionaryObject, NameObject

from moderation.bundle.anchors import Anchor, PageSlot
from moderation.bundle.pdf_objects import A4_HEIGHT, A4_WIDTH, content_stream, helvetica

# CSS pixels (what WeasyPrint measures in) to PDF points.
PX = 0.75
PAGE_REF_FONT_SIZE = 8

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


def page_numbers_overlay(refs: list[PageRef]) -> PageObject:
    """A transparent A4 page with "p. N" at each (x, y)."""
    overlay = PageObject.create_blank_page(width=A4_WIDTH, height=A4_HEIGHT)
    overlay[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/PageRef"): helvetica()})}
    )
    text = "".join(
        f"1 0 0 1 {x * PX + 2:.2f} {A4_HEIGHT - y * PX:.2f} Tm (p. {number}) Tj\n" for x, y, number in refs
    )
    overlay[NameObject("/Contents")] = content_stream(
        f"BT /PageRef {PAGE_REF_FONT_SIZE} Tf 0.114 0.310 0.569 rg\n{text}ET".encode("ascii")
    )
    return overlay
