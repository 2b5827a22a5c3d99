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
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import astuple, dataclass


@dataclass(frozen=True)
class MapContact:
    label: str  # what to print beside the node: a name, or a pseudonym such as "C7"
    sector: str  # the sector's display label, e.g. "Finance", "Public sector"
    strength: int  # 1 = weak or new, 2 = developing, 3 = strong
    is_organisation: bool = False

    def __post_init__(self):
        if self.strength not in STRENGTH_NAMES:
            raise ValueError(f"A contact's strength is 1, 2 or 3, not {self.strength!r}.")


STRENGTH_NAMES = {3: "Strong", 2: "Developing", 1: "Weak or new"}
# Stronger contacts sit nearer "You", so distance reads as closeness.
RING_RADII = {3: 135, 2: 225, 1: 310}
# Each at least 3:1 against white (WCAG non-text contrast), and told apart without colour
# by the ring they sit on.
NODE_FILLS = {3: "#1d4f91", 2: "#00796b", 1: "#b34700"}
TEXT_COLOUR = "#1b1b1b"
LINE_COLOUR = "#6b6b6b"
SPOKE_COLOUR = "#949494"
BACKGROUND = "#ffffff"

# Square, and wide enough for a sector's name beside the outer ring at either side.
CANVAS_SIZE = 1000
CENTRE = CANVAS_SIZE / 2
YOU_RADIUS = 28
# Wedge boundaries and the line the rings are named on reach a little past the outer ring.
LINE_END_RADIUS = RING_RADII[1] + 14
SECTOR_LABEL_RADIUS = RING_RADII[1] + 34
# Left free of wedges at twelve o'clock, round the line where the rings are named, so
# that no node can cover a ring's name.
RING_NAME_GAP = math.radians(26)
LARGEST_NODE_HALF_SIZE = 9
# Crowded rings get smaller nodes, so that they stay apart for longer; below this a node
# is too small to see its shape.
SMALLEST_NODE_HALF_SIZE = 3

LABEL_FONT_SIZE = 13
SECTOR_FONT_SIZE = 14
RING_FONT_SIZE = 13
YOU_FONT_SIZE = 16
LABEL_MAX_LENGTH = 24
SECTOR_LINE_MAX_LENGTH = 18
SECTOR_MAX_LINES = 2
# The text's real width is the browser's or WeasyPrint's business; this generous average
# for sans-serif faces is only for keeping labels apart.
AVERAGE_GLYPH_WIDTH = 0.6
LABEL_GAP = 4
BACKING_PADDING = 2

# Characters XML 1.0 cannot carry: one of them in a label would make the whole picture
# unparseable.
NOT_XML_CHARACTERS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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


def clean_text(text: str) -> str:
    return NOT_XML_CHARACTERS.sub("", " ".join(text.split()))


def shortened(text: str, max_length: int) -> str:
    return text if len(text) <= max_length else text[: max_length - 1] + "…"


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


def number(value: float) -> str:
    # Adding 0.0 turns -0.0 into 0.0, so a coordinate never prints as "-0".
    return format(round(value, 1) + 0.0, "g")


def start_angle(wedge_index: int, wedge_angle: float) -> float:
    # Wedges run clockwise (SVG's y axis points down) from just past twelve o'clock.
    return -math.pi / 2 + RING_NAME_GAP / 2 + wedge_index * wedge_angle


def point_at(radius: float, angle: float) -> tuple[float, float]:
    return CENTRE + radius * math.cos(angle), CENTRE + radius * math.sin(angle)


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlap(self, other: "Box") -> float:
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.bottom, other.bottom) - max(self.top, other.top)
        return width * height if width > 0 and height > 0 else 0.0

    def area_outside_canvas(self) -> float:
        inside = self.overlap(Box(0, 0, CANVAS_SIZE, CANVAS_SIZE))
        return (self.right - self.left) * (self.bottom - self.top) - inside


def box_path(box: Box) -> str:
    width = box.right - box.left
    height = box.bottom - box.top
    return f"M{number(box.left)} {number(box.top)}h{number(width)}v{number(height)}h{number(-width)}z"


@dataclass(frozen=True)
class TextPlacement:
    x: float
    baseline: float
    anchor: str
    box: Box


def text_placement(text: str, font_size: float, *, x: float, baseline: float, anchor: str) -> TextPlacement:
    width = len(text) * font_size * AVERAGE_GLYPH_WIDTH
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    # Ascenders reach about 0.8em above the baseline, descenders about 0.25em below it.
    box = Box(left, baseline - 0.8 * font_size, left + width, baseline + 0.25 * font_size)
    return TextPlacement(x=x, baseline=baseline, anchor=anchor, box=box)


class LabelLayout:
    """Keeps labels off each other, off the nodes and inside the canvas, as far as the room
    allows: each label takes the first of its candidate places that is clear, or else the
    one that covers least."""

    def __init__(self):
        self.obstacles: list[Box] = []

    def add_obstacle(self, box: Box) -> None:
        self.obstacles.append(box)

    def choose(self, candidates: Sequence[TextPlacement]) -> TextPlacement:
        best, best_cost = None, math.inf
        for candidate in candidates:
            # Text cut off at the canvas's edge is worse than text crossing other text.
            cost = 10 * candidate.box.area_outside_canvas() + sum(
                candidate.box.overlap(obstacle) for obstacle in self.obstacles
            )
            if cost < best_cost:
                best, best_cost = candidate, cost
            if cost == 0:
                break
        self.add_obstacle(best.box)
        return best


def add_text(
    parent: ET.Element, text: str, placement: TextPlacement, font_size: float, **attributes: str
) -> None:
    # A white backing keeps the text at full contrast where it crosses a line.
    padded = Box(
        placement.box.left - BACKING_PADDING,
        placement.box.top - BACKING_PADDING,
        placement.box.right + BACKING_PADDING,
        placement.box.bottom + BACKING_PADDING,
    )
    ET.SubElement(parent, "path", {"class": "label-backing", "d": box_path(padded), "fill": BACKGROUND})
    ET.SubElement(
        parent,
        "text",
        {
            **attributes,
            "x": number(placement.x),
            "y": number(placement.baseline),
            "text-anchor": placement.anchor,
            "font-size": number(font_size),
            "fill": TEXT_COLOUR,
        },
    ).text = text


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
