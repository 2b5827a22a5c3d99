"""A picture of a learner's register of networking contacts, drawn on the server as SVG.

The same markup is embedded in HTML pages and in the moderation PDF, so it is written for
the stricter reader on each count. The pages' Content-Security-Policy allows no style
attributes, style elements or scripts, so everything is drawn with presentation
attributes; WeasyPrint has an SVG renderer of its own, so the drawing keeps to circles,
lines, paths and text, and every label is real text that a moderator can search and copy
from the PDF.

Nothing rests on colour alone: distance from "You" shows a contact's strength (each ring
is named), shape shows a person or an organisation, and all text is dark on white.

The markup depends only on the title and the contacts, not on the order they come in, so
an unchanged network draws the same each time and a version can be compared side by side
with its predecessor; its element ids come from the same content, so two maps on one page
do not clash.
"""

import hashlib
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import astuple

from networking.map.drawing import (
    draw_contact,
    draw_rings,
    draw_sector_label,
    draw_spokes,
    draw_wedge_boundaries,
    draw_you,
    place_nodes,
)
from networking.map.layout import (
    BACKGROUND,
    CANVAS_SIZE,
    RING_NAME_GAP,
    STRENGTH_NAMES,
    Box,
    LabelLayout,
    MapContact,
    box_path,
    clean_text,
    start_angle,
)


def network_map_svg(contacts: Sequence[MapContact], *, title: str) -> str:
    """A complete <svg> element as a string."""
    ordered = sorted(contacts, key=drawing_order)
    sectors = sorted({contact.sector for contact in ordered}, key=case_insensitive)
    id_prefix = f"network-map-{content_digest(title, ordered)}"

    root = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {CANVAS_SIZE} {CANVAS_SIZE}",
            "role": "img",
            "aria-labelledby": f"{id_prefix}-title {id_prefix}-desc",
            "font-family": "sans-serif",
        },
    )
    ET.SubElement(root, "title", id=f"{id_prefix}-title").text = clean_text(title)
    ET.SubElement(root, "desc", id=f"{id_prefix}-desc").text = summary(ordered, sectors)
    ET.SubElement(root, "path", d=box_path(Box(0, 0, CANVAS_SIZE, CANVAS_SIZE)), fill=BACKGROUND)

    layout = LabelLayout()
    wedge_angle = (2 * math.pi - RING_NAME_GAP) / len(sectors) if sectors else 0
    draw_wedge_boundaries(root, len(sectors), wedge_angle)
    draw_rings(root, layout)
    nodes = place_nodes(ordered, sectors, wedge_angle)
    draw_spokes(root, nodes)
    draw_you(root, layout, has_contacts=bool(ordered))
    for index, sector in enumerate(sectors):
        draw_sector_label(
            root, layout, sector, middle_angle=start_angle(index, wedge_angle) + wedge_angle / 2
        )
    for node in nodes:
        layout.add_obstacle(node.box)
    for node in nodes:
        draw_contact(root, layout, node)
    return ET.tostring(root, encoding="unicode")


def drawing_order(contact: MapContact) -> tuple:
    return (
        *case_insensitive(contact.sector),
        -contact.strength,
        *case_insensitive(contact.label),
        contact.is_organisation,
    )


def case_insensitive(text: str) -> tuple[str, str]:
    # The text itself breaks ties, so that "finance" and "Finance" always come in one order.
    return (text.casefold(), text)


def content_digest(title: str, ordered: Sequence[MapContact]) -> str:
    content = json.dumps([title, [astuple(contact) for contact in ordered]], ensure_ascii=False)
    return hashlib.sha256(content.encode()).hexdigest()[:10]


def plural(count: int, singular: str, plural_form: str) -> str:
    return f"{count} {singular if count == 1 else plural_form}"


def summary(ordered: Sequence[MapContact], sectors: Sequence[str]) -> str:
    if not ordered:
        return "No contacts yet."
    counts = {strength: 0 for strength in STRENGTH_NAMES}
    for contact in ordered:
        counts[contact.strength] += 1
    by_strength = ", ".join(f"{counts[strength]} {name.lower()}" for strength, name in STRENGTH_NAMES.items())
    return (
        f"{plural(len(ordered), 'contact', 'contacts')} in {plural(len(sectors), 'sector', 'sectors')}: "
        f"{by_strength}."
    )
