"""Drawing the parts of the network map: the rings and wedges, the spokes, "You", each
sector's name and each contact."""

import math
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from networking.map.layout import (
    BACKGROUND,
    CENTRE,
    LABEL_FONT_SIZE,
    LABEL_GAP,
    LABEL_MAX_LENGTH,
    LARGEST_NODE_HALF_SIZE,
    LINE_COLOUR,
    LINE_END_RADIUS,
    NODE_FILLS,
    RING_FONT_SIZE,
    RING_RADII,
    SECTOR_FONT_SIZE,
    SECTOR_LABEL_RADIUS,
    SECTOR_LINE_MAX_LENGTH,
    SECTOR_MAX_LINES,
    SMALLEST_NODE_HALF_SIZE,
    SPOKE_COLOUR,
    STRENGTH_NAMES,
    TEXT_COLOUR,
    YOU_FONT_SIZE,
    YOU_RADIUS,
    Box,
    LabelLayout,
    MapContact,
    TextPlacement,
    add_text,
    box_path,
    clean_text,
    number,
    point_at,
    shortened,
    start_angle,
    text_placement,
)


def draw_wedge_boundaries(root: ET.Element, sector_count: int, wedge_angle: float) -> None:
    group = ET.SubElement(
        root, "g", {"class": "wedge-boundaries", "stroke": LINE_COLOUR, "stroke-width": "1"}
    )
    # The gap at twelve o'clock parts the last wedge from the first.
    for index in range(1, sector_count):
        angle = start_angle(index, wedge_angle)
        x1, y1 = point_at(YOU_RADIUS, angle)
        x2, y2 = point_at(LINE_END_RADIUS, angle)
        ET.SubElement(group, "line", x1=number(x1), y1=number(y1), x2=number(x2), y2=number(y2))


def draw_rings(root: ET.Element, layout: LabelLayout) -> None:
    group = ET.SubElement(root, "g", {"class": "rings"})
    ET.SubElement(
        group,
        "line",
        {
            "x1": number(CENTRE),
            "y1": number(CENTRE - YOU_RADIUS),
            "x2": number(CENTRE),
            "y2": number(CENTRE - LINE_END_RADIUS),
            "stroke": LINE_COLOUR,
            "stroke-width": "1",
        },
    )
    for radius in RING_RADII.values():
        ET.SubElement(
            group,
            "circle",
            {
                "cx": number(CENTRE),
                "cy": number(CENTRE),
                "r": number(radius),
                "fill": "none",
                "stroke": LINE_COLOUR,
                "stroke-width": "1.5",
            },
        )
    # Named where each ring crosses twelve o'clock, sitting on its line like a contour's
    # height, so that the meaning of distance can be read off the picture itself.
    for strength, radius in RING_RADII.items():
        name = STRENGTH_NAMES[strength]
        placement = text_placement(
            name, RING_FONT_SIZE, x=CENTRE, baseline=CENTRE - radius + 0.3 * RING_FONT_SIZE, anchor="middle"
        )
        layout.add_obstacle(placement.box)
        add_text(group, name, placement, RING_FONT_SIZE, **{"class": "ring-label", "font-style": "italic"})


@dataclass(frozen=True)
class Node:
    contact: MapContact
    x: float
    y: float
    half_size: float

    @property
    def box(self) -> Box:
        return Box(
            self.x - self.half_size, self.y - self.half_size, self.x + self.half_size, self.y + self.half_size
        )


def place_nodes(ordered: Sequence[MapContact], sectors: Sequence[str], wedge_angle: float) -> list[Node]:
    on_ring_in_wedge = defaultdict(list)
    for contact in ordered:
        on_ring_in_wedge[(contact.sector, contact.strength)].append(contact)
    nodes = []
    for index, sector in enumerate(sectors):
        for strength, radius in RING_RADII.items():
            members = on_ring_in_wedge[(sector, strength)]
            if not members:
                continue
            step = wedge_angle / len(members)
            half_size = min(LARGEST_NODE_HALF_SIZE, max(SMALLEST_NODE_HALF_SIZE, 0.4 * radius * step))
            for position, contact in enumerate(members):
                # Half a step in from each side: evenly spread, never on a boundary line,
                # and as far from the neighbouring wedge's nodes as from each other.
                x, y = point_at(radius, start_angle(index, wedge_angle) + (position + 0.5) * step)
                nodes.append(Node(contact=contact, x=x, y=y, half_size=half_size))
    return nodes


def draw_spokes(root: ET.Element, nodes: Sequence[Node]) -> None:
    group = ET.SubElement(root, "g", {"class": "spokes", "stroke": SPOKE_COLOUR, "stroke-width": "1"})
    for node in nodes:
        ET.SubElement(
            group, "line", x1=number(CENTRE), y1=number(CENTRE), x2=number(node.x), y2=number(node.y)
        )


def draw_you(root: ET.Element, layout: LabelLayout, *, has_contacts: bool) -> None:
    group = ET.SubElement(root, "g", {"class": "you"})
    ET.SubElement(
        group,
        "circle",
        {
            "cx": number(CENTRE),
            "cy": number(CENTRE),
            "r": number(YOU_RADIUS),
            "fill": BACKGROUND,
            "stroke": TEXT_COLOUR,
            "stroke-width": "2",
        },
    )
    layout.add_obstacle(
        Box(CENTRE - YOU_RADIUS, CENTRE - YOU_RADIUS, CENTRE + YOU_RADIUS, CENTRE + YOU_RADIUS)
    )
    you = text_placement(
        "You", YOU_FONT_SIZE, x=CENTRE, baseline=CENTRE + 0.35 * YOU_FONT_SIZE, anchor="middle"
    )
    add_text(group, "You", you, YOU_FONT_SIZE, **{"font-weight": "bold"})
    if not has_contacts:
        empty = text_placement(
            "No contacts yet", YOU_FONT_SIZE, x=CENTRE, baseline=CENTRE + YOU_RADIUS + 32, anchor="middle"
        )
        add_text(group, "No contacts yet", empty, YOU_FONT_SIZE)


def sector_lines(sector: str) -> list[str]:
    lines: list[str] = []
    for word in clean_text(sector).split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= SECTOR_LINE_MAX_LENGTH:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > SECTOR_MAX_LINES:
        lines = [*lines[: SECTOR_MAX_LINES - 1], " ".join(lines[SECTOR_MAX_LINES - 1 :])]
    return [shortened(line, SECTOR_LINE_MAX_LENGTH) for line in lines]


def draw_sector_label(root: ET.Element, layout: LabelLayout, sector: str, *, middle_angle: float) -> None:
    lines = sector_lines(sector)
    x, y = point_at(SECTOR_LABEL_RADIUS, middle_angle)
    horizontal, vertical = math.cos(middle_angle), math.sin(middle_angle)
    # Anchored on the side facing the rings, so the name grows away from the picture.
    anchor = "start" if horizontal > 0.25 else "end" if horizontal < -0.25 else "middle"
    line_height = 1.2 * SECTOR_FONT_SIZE
    if vertical < -0.25:
        first_baseline = y - (len(lines) - 1) * line_height
    elif vertical > 0.25:
        first_baseline = y + 0.8 * SECTOR_FONT_SIZE
    else:
        first_baseline = y + 0.35 * SECTOR_FONT_SIZE - (len(lines) - 1) * line_height / 2
    group = ET.SubElement(root, "g", {"class": "sector-label"})
    for line_number, line in enumerate(lines):
        placement = text_placement(
            line, SECTOR_FONT_SIZE, x=x, baseline=first_baseline + line_number * line_height, anchor=anchor
        )
        layout.add_obstacle(placement.box)
        add_text(group, line, placement, SECTOR_FONT_SIZE, **{"font-weight": "bold"})


def draw_contact(root: ET.Element, layout: LabelLayout, node: Node) -> None:
    contact = node.contact
    label = clean_text(contact.label)
    kind = "organisation" if contact.is_organisation else "person"
    group = ET.SubElement(root, "g", {"class": "contact"})
    strength = STRENGTH_NAMES[contact.strength].lower()
    # The full label, for a pointer resting on the node, when the printed one is cut short.
    ET.SubElement(group, "title").text = f"{label} ({kind}, {clean_text(contact.sector)}): {strength}"
    shape = {
        "class": "node",
        "fill": NODE_FILLS[contact.strength],
        "stroke": BACKGROUND,
        "stroke-width": "1.5",
    }
    if contact.is_organisation:
        ET.SubElement(group, "path", {**shape, "d": box_path(node.box)})
    else:
        ET.SubElement(
            group,
            "circle",
            {**shape, "cx": number(node.x), "cy": number(node.y), "r": number(node.half_size)},
        )
    printed = shortened(label, LABEL_MAX_LENGTH)
    placement = layout.choose(label_candidates(printed, node))
    add_text(group, printed, placement, LABEL_FONT_SIZE, **{"class": "label"})


def label_candidates(text: str, node: Node) -> list[TextPlacement]:
    beside = node.half_size + LABEL_GAP
    line_height = 1.2 * LABEL_FONT_SIZE
    middle_baseline = node.y + 0.35 * LABEL_FONT_SIZE

    def to_the(side: str, lines_down: int = 0) -> TextPlacement:
        x, anchor = (node.x + beside, "start") if side == "right" else (node.x - beside, "end")
        return text_placement(
            text, LABEL_FONT_SIZE, x=x, baseline=middle_baseline + lines_down * line_height, anchor=anchor
        )

    # Away from the centre first, where there is more room and fewer spokes.
    outward, inward = ("right", "left") if node.x >= CENTRE else ("left", "right")
    above = text_placement(
        text, LABEL_FONT_SIZE, x=node.x, baseline=node.y - beside - 0.25 * LABEL_FONT_SIZE, anchor="middle"
    )
    below = text_placement(
        text, LABEL_FONT_SIZE, x=node.x, baseline=node.y + beside + 0.8 * LABEL_FONT_SIZE, anchor="middle"
    )
    return [
        to_the(outward),
        to_the(inward),
        above,
        below,
        *(to_the(side, lines_down) for side in (outward, inward) for lines_down in (-1, 1)),
    ]
